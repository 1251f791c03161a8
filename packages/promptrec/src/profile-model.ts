/**
 * Supervised baselines on the profiles themselves (issue: PromptRec, "what xrec adds"): a logistic regression
 * and a second-order factorization machine (Rendle 2010) on one-hot features of the verbalizer's slots —
 * `slot=value`, with list values ("action, comedy, and drama") split into one feature per element. Trained on
 * exactly the few-shot rows a prompt sees (250 per seed), so they are the real supervised yardstick for
 * few-shot tuning and TPPT. Plain arrays, full-batch gradient descent with L2; the epoch with the best AUC on
 * the validation rows is kept.
 */
import { ConfigError, Rng } from '@xrec/core';
import { rocAuc } from '@xrec/metrics';

/** One-hot features of a pair's slots (undefined slots are absent). */
export function slotFeatures(slots: Readonly<Record<string, string | undefined>>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(slots)) {
    if (v === undefined || v === '') continue;
    for (const part of v.split(/\s*,\s*(?:and\s+)?|\s+and\s+/)) if (part) out.push(`${k}=${part}`);
  }
  return out;
}

export interface ProfileRow {
  readonly features: readonly string[];
  readonly click: 0 | 1;
}

export interface ProfileModelOptions {
  /** `lr`: logistic regression; `fm`: factorization machine (default `lr`). */
  readonly kind?: 'lr' | 'fm';
  /** FM factor size (default 8). */
  readonly factors?: number;
  readonly epochs?: number;
  readonly lr?: number;
  readonly l2?: number;
  readonly seed?: number;
}

export interface ProfileModel {
  readonly kind: 'lr' | 'fm';
  /** p(click) for rows' features; features never seen in training contribute nothing. */
  predict(features: readonly (readonly string[])[]): Float64Array;
}

/** Fit on `train`, keeping the epoch with the best validation AUC (the last one when `valid` has one label only). */
export function trainProfileModel(train: readonly ProfileRow[], valid: readonly ProfileRow[], o: ProfileModelOptions = {}): ProfileModel {
  if (train.length === 0) throw new ConfigError('trainProfileModel: no training rows');
  const kind = o.kind ?? 'lr';
  if (kind !== 'lr' && kind !== 'fm') throw new ConfigError(`trainProfileModel: kind must be lr or fm, got '${String(kind)}'`);
  const k = kind === 'fm' ? (o.factors ?? 8) : 0;
  const epochs = o.epochs ?? 200;
  const step = o.lr ?? 0.1;
  const l2 = o.l2 ?? 1e-2;
  const index = new Map<string, number>();
  for (const r of train) for (const f of r.features) if (!index.has(f)) index.set(f, index.size);
  const n = index.size;
  const rng = new Rng(o.seed ?? 0);
  const state = { w0: 0, w: new Float64Array(n), v: Float64Array.from({ length: n * k }, () => 0.01 * rng.normal()) };
  const ids = (fs: readonly string[]) => fs.map((f) => index.get(f)).filter((i): i is number => i !== undefined);
  const trainIds = train.map((r) => ids(r.features));
  const logit = (s: typeof state, xs: readonly number[], sums?: Float64Array): number => {
    let z = s.w0;
    for (const i of xs) z += s.w[i]!;
    if (k > 0) {
      for (let f = 0; f < k; f++) {
        let sum = 0;
        let sq = 0;
        for (const i of xs) {
          const x = s.v[i * k + f]!;
          sum += x;
          sq += x * x;
        }
        if (sums) sums[f] = sum;
        z += 0.5 * (sum * sum - sq);
      }
    }
    return z;
  };
  const predictWith = (s: typeof state, rows: readonly (readonly string[])[]) => Float64Array.from(rows, (fs) => 1 / (1 + Math.exp(-logit(s, ids(fs)))));
  const snapshot = () => ({ w0: state.w0, w: Float64Array.from(state.w), v: Float64Array.from(state.v) });
  const canValidate = valid.some((r) => r.click === 1) && valid.some((r) => r.click === 0);
  let best = snapshot();
  let bestAuc = Number.NEGATIVE_INFINITY;
  const sums = new Float64Array(k);
  for (let e = 0; e < epochs; e++) {
    const g0 = { w0: 0, w: new Float64Array(n), v: new Float64Array(n * k) };
    trainIds.forEach((xs, r) => {
      const p = 1 / (1 + Math.exp(-logit(state, xs, sums)));
      const err = p - train[r]!.click;
      g0.w0 += err;
      for (const i of xs) {
        g0.w[i]! += err;
        for (let f = 0; f < k; f++) g0.v[i * k + f]! += err * (sums[f]! - state.v[i * k + f]!);
      }
    });
    const m = train.length;
    state.w0 -= (step * g0.w0) / m;
    for (let i = 0; i < n; i++) state.w[i]! -= step * (g0.w[i]! / m + l2 * state.w[i]!);
    for (let i = 0; i < n * k; i++) state.v[i]! -= step * (g0.v[i]! / m + l2 * state.v[i]!);
    if (canValidate) {
      const auc = rocAuc(predictWith(state, valid.map((r) => r.features)), valid.map((r) => r.click));
      if (auc > bestAuc) {
        bestAuc = auc;
        best = snapshot();
      }
    }
  }
  const final = canValidate ? best : snapshot();
  return { kind, predict: (rows) => predictWith(final, rows) };
}
