/**
 * Ranking quality of next-item and direct recommendation: hit@1/3/5/10 and NDCG@5/10 (one relevant item per
 * example, binary relevance, as P5 reports them) from ranked lists, and the evaluation loop that ranks every
 * example with a recommender (P5's beam search and likelihood ranking, or a baseline).
 */
import { ShapeError, silentProgress, type Progress, type Rng } from '@xrec/core';
import { rankingMetrics } from '@xrec/metrics';
import type { RecExample } from './examples.js';

export const REC_METRICS = ['hit@1', 'hit@3', 'hit@5', 'hit@10', 'ndcg@5', 'ndcg@10'] as const;
export type RecMetricName = (typeof REC_METRICS)[number];
export type RecMetrics = Readonly<Record<RecMetricName, number>> & { readonly examples: number };

/** Metrics of ranked lists (best first) against each example's one target. */
export function recMetrics(ranked: readonly (readonly string[])[], targets: readonly string[]): RecMetrics {
  if (ranked.length !== targets.length) throw new ShapeError(`recMetrics: ${ranked.length} ranked lists but ${targets.length} targets`);
  const rel = targets.map((t) => [t]);
  const at = (k: number) => rankingMetrics(ranked, rel, k);
  const m1 = at(1);
  const m3 = at(3);
  const m5 = at(5);
  const m10 = at(10);
  return { 'hit@1': m1.hr, 'hit@3': m3.hr, 'hit@5': m5.hr, 'hit@10': m10.hr, 'ndcg@5': m5.ndcg, 'ndcg@10': m10.ndcg, examples: targets.length };
}

/** Rank every example with `rank` and score the lists; progress reports one tick per example. */
export function evaluateRanker(examples: readonly RecExample[], rank: (ex: RecExample) => readonly string[], progress: Progress = silentProgress, label = 'evaluate'): { metrics: RecMetrics; ranked: string[][] } {
  const task = progress.start(label, examples.length);
  const ranked: string[][] = [];
  try {
    for (const ex of examples) {
      ranked.push([...rank(ex)]);
      task.tick();
    }
  } finally {
    task.finish();
  }
  return { metrics: recMetrics(ranked, examples.map((e) => e.target)), ranked };
}

/** {@link userShuffleCheck}'s result: the same examples ranked with their own users and with other users. */
export interface UserShuffleCheck {
  readonly examples: number;
  readonly own: RecMetrics;
  readonly shuffled: RecMetrics;
}

/**
 * Does a recommender use who asks? Ranks the first `n` examples (default 200) as they are, and again with
 * each one's user replaced by another of these examples' users (a seeded shuffle, each taking the next one's
 * user, so no example keeps its own unless two share a user); everything else — history, candidates, target —
 * stays. A model that has learned only item popularity scores the same both ways. `ranked`: the examples'
 lists already ranked with their own users (by the same `rank`), reused instead of ranking them again.
 */
export function userShuffleCheck(
  examples: readonly RecExample[],
  rank: (ex: RecExample) => readonly string[],
  o: { n?: number; rng: Rng; ranked?: readonly (readonly string[])[]; progress?: Progress; label?: string },
): UserShuffleCheck {
  const n = Math.min(o.n ?? 200, examples.length);
  if (n < 2) throw new ShapeError(`userShuffleCheck: needs at least 2 examples, got ${n}`);
  const sample = examples.slice(0, n);
  const order = o.rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const userOf = new Map(order.map((k, j) => [k, sample[order[(j + 1) % n]!]!.user]));
  const progress = o.progress ?? silentProgress;
  const label = o.label ?? 'user shuffle check';
  if (o.ranked && o.ranked.length < n) throw new ShapeError(`userShuffleCheck: ${o.ranked.length} ranked lists for ${n} examples`);
  const own = o.ranked ? recMetrics(o.ranked.slice(0, n), sample.map((e) => e.target)) : evaluateRanker(sample, rank, progress, `${label}: own users`).metrics;
  const shuffled = evaluateRanker(sample.map((e, k) => ({ ...e, user: userOf.get(k)! })), rank, progress, `${label}: other users`).metrics;
  return { examples: n, own, shuffled };
}
