/**
 * P5's recommendation examples from interaction data (Geng et al. 2022; UP5's Insurance preprocessing):
 *
 * - **sequential**: a user's history (oldest first) and the next item. Insurance has no timestamps, so as in
 *   UP5 each user's purchases are shuffled (seeded) and the last is the target — training takes every
 *   purchase in turn as the target of one shuffle; users split 80/10/10 (users with one purchase have no
 *   history and are left out). MovieLens: time-ordered leave-one-out (validation = second to last, test =
 *   last), training takes every earlier position as a target, histories are cut to the last `maxHistory`.
 * - **direct**: a user, a candidate list and the target. Insurance: the files' interaction split, candidates =
 *   the target plus every item the user never bought; MovieLens: the leave-one-out targets, candidates = the
 *   target plus `negatives` items the user never rated, drawn uniformly from the catalogue (seeded). (P5's
 *   own sampler draws from ids 1..len(items) with the wrong range and may return seen items; this one never
 *   does.) Candidate lists are shuffled, so the target's position tells nothing.
 */
import { ConfigError, DataError, Rng } from '@xrec/core';
import { NegativeSampler, type Interaction } from '@xrec/data';

export interface RecExample {
  readonly user: string;
  /** The user's earlier items, oldest first (sequential) — empty for direct examples. */
  readonly history: readonly string[];
  readonly target: string;
  /** Direct recommendation: the items to choose from (the target among them). */
  readonly candidates?: readonly string[];
}

export interface RecSplits {
  readonly train: RecExample[];
  readonly validation: RecExample[];
  readonly test: RecExample[];
}

function byUser(rows: readonly Interaction[]): Map<string, Interaction[]> {
  const m = new Map<string, Interaction[]>();
  for (const r of rows) {
    const l = m.get(r.user);
    if (l) l.push(r);
    else m.set(r.user, [r]);
  }
  return m;
}

/** UP5's Insurance sequential protocol (see the file header). */
export function shuffledSequentialSplits(rows: readonly Interaction[], seed: number, ratios: readonly [number, number] = [0.8, 0.9]): RecSplits {
  const rng = new Rng(seed);
  const users = rng.shuffle([...byUser(rows)].map(([u, l]) => [u, [...new Set(l.map((r) => r.item))]] as const).filter(([, items]) => items.length >= 2));
  if (users.length < 3) throw new DataError(`shuffledSequentialSplits: needs at least 3 users with two or more items, got ${users.length}`);
  const a = Math.ceil(users.length * ratios[0]);
  const b = Math.ceil(users.length * ratios[1]);
  const out: RecSplits = { train: [], validation: [], test: [] };
  users.forEach(([user, items], i) => {
    if (i < a) {
      for (let k = 0; k < items.length - 1; k++) {
        const s = rng.shuffle([...items]);
        out.train.push({ user, history: s.slice(0, -1), target: s[s.length - 1]! });
      }
      return;
    }
    const s = rng.shuffle([...items]);
    (i < b ? out.validation : out.test).push({ user, history: s.slice(0, -1), target: s[s.length - 1]! });
  });
  return out;
}

/** Time-ordered leave-one-out sequential examples (MovieLens; see the file header). */
export function leaveOneOutSequential(rows: readonly Interaction[], opts: { minInteractions?: number; maxHistory?: number } = {}): RecSplits {
  const min = opts.minInteractions ?? 5;
  const maxHistory = opts.maxHistory ?? 20;
  if (!Number.isInteger(maxHistory) || maxHistory < 1) throw new ConfigError(`leaveOneOutSequential: maxHistory must be a positive integer, got ${maxHistory}`);
  const out: RecSplits = { train: [], validation: [], test: [] };
  for (const [user, list] of byUser(rows)) {
    if (list.length < min) continue;
    const items = list
      .map((r, i) => [r, i] as const)
      .sort((x, y) => (x[0].time ?? 0) - (y[0].time ?? 0) || x[1] - y[1])
      .map(([r]) => r.item);
    const ex = (t: number): RecExample => ({ user, history: items.slice(Math.max(0, t - maxHistory), t), target: items[t]! });
    const n = items.length;
    for (let t = 1; t < n - 2; t++) out.train.push(ex(t));
    out.validation.push(ex(n - 2));
    out.test.push(ex(n - 1));
  }
  if (out.test.length === 0) throw new DataError(`leaveOneOutSequential: no user has ${min} or more interactions`);
  return out;
}

/** What draws a user's negative candidates: `n` distinct items the user never interacted with (`NegativeSampler`). */
export interface CandidateSampler {
  sample(user: string, n: number, rng: Rng): string[];
}

/**
 * A direct example with new candidates: its target and `negatives` items from `sampler`, shuffled. P5's loader
 * draws a training prompt's candidates anew at every access (99 of them); `trainP5`'s `redrawCandidates`
 * does this once per epoch.
 */
export function withFreshCandidates(ex: RecExample, negatives: number, sampler: CandidateSampler, rng: Rng): RecExample {
  return { ...ex, candidates: rng.shuffle([ex.target, ...sampler.sample(ex.user, negatives, rng).filter((i) => i !== ex.target)]) };
}

/** Direct-recommendation examples with candidates = target + `negatives` unseen items (or all unseen when omitted). */
export function directExamples(
  targets: readonly Interaction[],
  seen: readonly Interaction[],
  catalogue: readonly string[],
  opts: { negatives?: number; seed: number },
): RecExample[] {
  const sampler = new NegativeSampler(catalogue, seen);
  const seenBy = byUser(seen);
  const rng = new Rng(opts.seed);
  return targets.map((r) => {
    const negs =
      opts.negatives === undefined
        ? catalogue.filter((i) => !(seenBy.get(r.user) ?? []).some((s) => s.item === i))
        : sampler.sample(r.user, opts.negatives, rng);
    return { user: r.user, history: [], target: r.item, candidates: rng.shuffle([r.item, ...negs.filter((i) => i !== r.item)]) };
  });
}
