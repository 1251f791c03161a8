/**
 * A small seeded logistic-regression probe, used to measure how much of a sensitive attribute leaks into
 * user representations (the "attacker" evaluation of fair recommendation, e.g. Beutel et al. 2017,
 * Li et al. 2021 "Towards Personalized Fairness"): train on a stratified split of users, report the test
 * ROC-AUC of predicting the attribute — 0.5 means no leakage. Pure TypeScript, deterministic per seed.
 */
import { DataError, Rng, ShapeError, is, resolveConfig, type ConfigSpec } from '@xrec/core';
import { rocAuc } from './auc.js';

export interface ProbeConfig {
  /** Share of each class held out for testing, in (0, 1). */
  readonly testFraction: number;
  /** Seed of the stratified split. */
  readonly seed: number;
  /** Full-batch gradient steps. */
  readonly epochs: number;
  /** L2 penalty lambda on the weights (not the bias). */
  readonly l2: number;
  /** Standardize each feature with the training mean / std before fitting. */
  readonly standardize: boolean;
}

export const DEFAULT_PROBE_CONFIG: ProbeConfig = { testFraction: 0.3, seed: 0, epochs: 300, l2: 1e-3, standardize: true };

/** Fill defaults and validate once; errors name the field. */
const PROBE_SPEC: ConfigSpec<ProbeConfig> = {
  testFraction: { check: is.num(0, { exclusive: true, max: 1, maxExclusive: true }), default: DEFAULT_PROBE_CONFIG.testFraction },
  seed: { check: is.int(), default: DEFAULT_PROBE_CONFIG.seed },
  epochs: { check: is.int(1), default: DEFAULT_PROBE_CONFIG.epochs },
  l2: { check: is.num(0), default: DEFAULT_PROBE_CONFIG.l2 },
  standardize: { check: is.bool(), default: DEFAULT_PROBE_CONFIG.standardize },
};

/** Fill defaults and validate (the core resolver: unknown fields are errors naming the closest field). */
export function resolveProbeConfig(partial: Partial<ProbeConfig> = {}): ProbeConfig {
  return resolveConfig('ProbeConfig', PROBE_SPEC, partial);
}

/** A fitted binary logistic regression: p(y = 1 | x) = sigmoid(w · z + b), z = (x - mean) / std. */
export interface LogisticModel {
  readonly weights: Float64Array; // [d]
  readonly bias: number;
  readonly mean: Float64Array; // [d]
  readonly std: Float64Array; // [d]
}

/** The linear score w · z + b of one row (monotone in the predicted probability). */
export function logisticScore(model: LogisticModel, x: ArrayLike<number>): number {
  let s = model.bias;
  for (let j = 0; j < model.weights.length; j++) s += model.weights[j]! * ((x[j]! - model.mean[j]!) / model.std[j]!);
  return s;
}

function sigmoid(t: number): number {
  return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}

/**
 * Fit by full-batch gradient descent on the mean log-loss plus (l2 / 2) ||w||^2:
 *
 *   grad_w = (1/n) Z^T (sigmoid(Z w + b) - y) + l2 w,   grad_b = mean(sigmoid(Z w + b) - y)
 *
 * with step 1 / L, L = lambda_max(Z^T Z / n) / 4 + l2 (the gradient's Lipschitz bound; lambda_max by power
 * iteration), which guarantees monotone descent. `x` is [n, d], `y` in {0, 1}.
 */
export function fitLogisticRegression(x: readonly ArrayLike<number>[], y: ArrayLike<number>, config: Partial<ProbeConfig> = {}): LogisticModel {
  const cfg = resolveProbeConfig(config);
  const n = x.length;
  if (n === 0) throw new DataError('fitLogisticRegression: no training rows');
  if (y.length !== n) throw new ShapeError(`fitLogisticRegression: ${n} rows but ${y.length} labels`);
  const d = x[0]!.length;
  const z = new Float64Array(n * d); // [n, d] standardized
  const mean = new Float64Array(d);
  const std = new Float64Array(d).fill(1);
  for (let i = 0; i < n; i++) {
    if (x[i]!.length !== d) throw new ShapeError(`fitLogisticRegression: row ${i} has ${x[i]!.length} values, row 0 has ${d}`);
    for (let j = 0; j < d; j++) {
      const v = x[i]![j]!;
      if (!Number.isFinite(v)) throw new DataError(`fitLogisticRegression: row ${i}, column ${j} is not finite (${v})`);
      mean[j]! += v / n;
    }
  }
  if (cfg.standardize) {
    const varr = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) varr[j]! += (x[i]![j]! - mean[j]!) ** 2 / n;
    for (let j = 0; j < d; j++) std[j] = varr[j]! > 1e-24 ? Math.sqrt(varr[j]!) : 1;
  } else mean.fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) z[i * d + j] = (x[i]![j]! - mean[j]!) / std[j]!;

  // lambda_max(Z^T Z / n) by power iteration (bias column included as a constant 1).
  let v = new Float64Array(d + 1).fill(1 / Math.sqrt(d + 1));
  let lambda = 1;
  const zv = new Float64Array(n);
  for (let it = 0; it < 30; it++) {
    for (let i = 0; i < n; i++) {
      let s = v[d]!;
      for (let j = 0; j < d; j++) s += z[i * d + j]! * v[j]!;
      zv[i] = s;
    }
    const w = new Float64Array(d + 1);
    for (let i = 0; i < n; i++) {
      const s = zv[i]! / n;
      for (let j = 0; j < d; j++) w[j]! += z[i * d + j]! * s;
      w[d]! += s;
    }
    let norm = 0;
    for (const t of w) norm += t * t;
    norm = Math.sqrt(norm);
    if (norm === 0) break;
    lambda = norm;
    for (let j = 0; j <= d; j++) w[j]! /= norm;
    v = w;
  }
  const step = 1 / (lambda / 4 + cfg.l2);

  const weights = new Float64Array(d);
  let bias = 0;
  const grad = new Float64Array(d);
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    grad.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      let s = bias;
      for (let j = 0; j < d; j++) s += weights[j]! * z[i * d + j]!;
      const r = (sigmoid(s) - y[i]!) / n;
      for (let j = 0; j < d; j++) grad[j]! += r * z[i * d + j]!;
      gb += r;
    }
    for (let j = 0; j < d; j++) weights[j]! -= step * (grad[j]! + cfg.l2 * weights[j]!);
    bias -= step * gb;
  }
  return { weights, bias, mean, std };
}

/** Stratified split: for each class (in first-seen order), a seeded shuffle, the first ceil(f * n_c) to test. */
export function stratifiedSplit(labels: readonly (string | number | boolean)[], testFraction: number, seed: number): { train: number[]; test: number[] } {
  const rng = new Rng(seed);
  const byClass = new Map<string | number | boolean, number[]>();
  labels.forEach((l, i) => {
    let list = byClass.get(l);
    if (!list) byClass.set(l, (list = []));
    list.push(i);
  });
  const train: number[] = [];
  const test: number[] = [];
  for (const idx of byClass.values()) {
    rng.shuffle(idx);
    const nTest = Math.min(idx.length - 1, Math.max(1, Math.ceil(testFraction * idx.length)));
    idx.forEach((i, k) => (k < nTest ? test : train).push(i));
  }
  train.sort((a, b) => a - b);
  test.sort((a, b) => a - b);
  return { train, test };
}

export interface LeakageResult {
  /** Test ROC-AUC; for more than two classes the mean of one-vs-rest AUCs. 0.5 = no leakage. */
  readonly auc: number;
  /** One-vs-rest test AUC per class (binary attributes: the one probe, for the second class in sorted order). */
  readonly perClass: readonly { readonly value: string; readonly auc: number }[];
  readonly trainSize: number;
  readonly testSize: number;
  readonly config: ProbeConfig;
}

/**
 * Attribute leakage: fit {@link fitLogisticRegression} on a stratified train split of
 * (representation, attribute) and report the ROC-AUC of its scores on the test split. Binary attributes:
 * one probe (positive = the larger value in sorted order). More classes: one probe per value (one-vs-rest),
 * `auc` = their mean (macro AUC). Every class needs at least 2 users.
 */
export function attributeLeakageAuc(
  representations: readonly ArrayLike<number>[],
  attribute: readonly (string | number | boolean)[],
  config: Partial<ProbeConfig> = {},
): LeakageResult {
  const cfg = resolveProbeConfig(config);
  if (representations.length !== attribute.length) {
    throw new ShapeError(`attributeLeakageAuc: ${representations.length} representations but ${attribute.length} attribute values`);
  }
  const keys = attribute.map((a) => String(a));
  const values = [...new Set(keys)].sort();
  if (values.length < 2) throw new DataError(`attributeLeakageAuc: the attribute needs at least 2 distinct values, got ${values.length}`);
  for (const v of values) {
    const c = keys.filter((k) => k === v).length;
    if (c < 2) throw new DataError(`attributeLeakageAuc: attribute value ${JSON.stringify(v)} has ${c} user; every value needs at least 2 (one to train, one to test)`);
  }
  const { train, test } = stratifiedSplit(keys, cfg.testFraction, cfg.seed);
  const xTrain = train.map((i) => representations[i]!);
  const xTest = test.map((i) => representations[i]!);
  const positives = values.length === 2 ? [values[1]!] : values;
  const perClass = positives.map((value) => {
    const model = fitLogisticRegression(xTrain, train.map((i) => (keys[i] === value ? 1 : 0)), cfg);
    const scores = xTest.map((x) => logisticScore(model, x));
    return { value, auc: rocAuc(scores, test.map((i) => (keys[i] === value ? 1 : 0))) };
  });
  const auc = perClass.reduce((s, c) => s + c.auc, 0) / perClass.length;
  return { auc, perClass, trainSize: train.length, testSize: test.length, config: cfg };
}
