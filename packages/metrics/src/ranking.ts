/**
 * Top-k ranking metrics with binary relevance (as RecBole and most recommender papers define them).
 * Input per user: the recommended list (best first) and the set of relevant (held-out) items. Users with no
 * relevant item are skipped (no metric is defined for them) and counted in `skippedUsers`.
 *
 * ```ts
 * rankingMetrics([['a', 'b', 'c']], [['c']], 3); // { hr: 1, ndcg: 0.5, mrr: 1/3, ... }
 * ```
 */
import { ConfigError, DataError, ShapeError } from '@xrec/core';

/** Item ids: any value compared with `===` / `Set` semantics. */
export type ItemId = string | number;

/** Per-user values, aligned with the input users (NaN for skipped users). */
export interface RankingPerUser {
  readonly hr: Float64Array;
  readonly ndcg: Float64Array;
  readonly mrr: Float64Array;
  readonly precision: Float64Array;
  readonly recall: Float64Array;
}

/** Means over the users that have at least one relevant item. */
export interface RankingMetrics {
  readonly k: number;
  readonly users: number;
  readonly skippedUsers: number;
  readonly hr: number;
  readonly ndcg: number;
  readonly mrr: number;
  readonly precision: number;
  readonly recall: number;
}

function checkK(where: string, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new ConfigError(`${where}: k must be an integer >= 1, got ${k}`);
}

/**
 * Per-user top-k metrics; for user u with list L_u (first k kept), relevant set R_u, rel_i = 1[L_u[i] ∈ R_u]:
 *
 *   HR@k        = 1[ sum_{i<=k} rel_i > 0 ]
 *   Precision@k = sum_{i<=k} rel_i / k
 *   Recall@k    = sum_{i<=k} rel_i / |R_u|
 *   MRR@k       = 1 / (first i <= k with rel_i = 1), or 0
 *   NDCG@k      = DCG / IDCG,  DCG = sum_{i<=k} rel_i / log2(i + 1),  IDCG = sum_{i<=min(k,|R_u|)} 1 / log2(i + 1)
 *
 * Users with R_u empty get NaN. A list that repeats an item is an error.
 */
export function rankingMetricsPerUser(
  ranked: readonly (readonly ItemId[])[],
  relevant: readonly Iterable<ItemId>[],
  k: number,
): RankingPerUser {
  checkK('rankingMetricsPerUser', k);
  if (ranked.length !== relevant.length) {
    throw new ShapeError(`rankingMetricsPerUser: ${ranked.length} ranked lists but ${relevant.length} relevant sets`);
  }
  const n = ranked.length;
  const out = {
    hr: new Float64Array(n),
    ndcg: new Float64Array(n),
    mrr: new Float64Array(n),
    precision: new Float64Array(n),
    recall: new Float64Array(n),
  };
  // discount[i] = 1 / log2(i + 2) for 0-based position i.
  const discount = new Float64Array(k);
  for (let i = 0; i < k; i++) discount[i] = 1 / Math.log2(i + 2);
  for (let u = 0; u < n; u++) {
    const rel = relevant[u] instanceof Set ? (relevant[u] as ReadonlySet<ItemId>) : new Set(relevant[u]);
    const list = ranked[u]!;
    if (rel.size === 0) {
      for (const a of Object.values(out)) a[u] = NaN;
      continue;
    }
    const seen = new Set<ItemId>();
    let hits = 0;
    let dcg = 0;
    let firstHit = 0;
    const top = Math.min(k, list.length);
    for (let i = 0; i < top; i++) {
      const item = list[i]!;
      if (seen.has(item)) throw new DataError(`rankingMetricsPerUser: user ${u}: item ${JSON.stringify(item)} appears twice in the top ${k}`);
      seen.add(item);
      if (rel.has(item)) {
        hits++;
        dcg += discount[i]!;
        if (firstHit === 0) firstHit = i + 1;
      }
    }
    let idcg = 0;
    for (let i = 0; i < Math.min(k, rel.size); i++) idcg += discount[i]!;
    out.hr[u] = hits > 0 ? 1 : 0;
    out.ndcg[u] = dcg / idcg;
    out.mrr[u] = firstHit > 0 ? 1 / firstHit : 0;
    out.precision[u] = hits / k;
    out.recall[u] = hits / rel.size;
  }
  return out;
}

/** Mean of the non-NaN entries, with the count. */
export function nanMean(values: ArrayLike<number>): { mean: number; count: number } {
  let s = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    s += v;
    c++;
  }
  return { mean: c === 0 ? NaN : s / c, count: c };
}

/** HR@k, NDCG@k, MRR@k, Precision@k, Recall@k averaged over users with a relevant item (see {@link rankingMetricsPerUser}). */
export function rankingMetrics(ranked: readonly (readonly ItemId[])[], relevant: readonly Iterable<ItemId>[], k: number): RankingMetrics {
  const per = rankingMetricsPerUser(ranked, relevant, k);
  const hr = nanMean(per.hr);
  if (hr.count === 0) throw new DataError(`rankingMetrics: no user has a relevant item (${ranked.length} users)`);
  return {
    k,
    users: hr.count,
    skippedUsers: ranked.length - hr.count,
    hr: hr.mean,
    ndcg: nanMean(per.ndcg).mean,
    mrr: nanMean(per.mrr).mean,
    precision: nanMean(per.precision).mean,
    recall: nanMean(per.recall).mean,
  };
}

/** HR@k = (1/|U|) sum_u 1[ |top_k(L_u) ∩ R_u| > 0 ] over users with R_u non-empty. */
export function hitRateAtK(ranked: readonly (readonly ItemId[])[], relevant: readonly Iterable<ItemId>[], k: number): number {
  return rankingMetrics(ranked, relevant, k).hr;
}

/** NDCG@k = (1/|U|) sum_u DCG_u@k / IDCG_u@k (binary gains, log2(i + 1) discounts) over users with R_u non-empty. */
export function ndcgAtK(ranked: readonly (readonly ItemId[])[], relevant: readonly Iterable<ItemId>[], k: number): number {
  return rankingMetrics(ranked, relevant, k).ndcg;
}

/** MRR@k = (1/|U|) sum_u 1 / rank_u, rank_u = position of the first relevant item in the top k (term 0 if none). */
export function mrrAtK(ranked: readonly (readonly ItemId[])[], relevant: readonly Iterable<ItemId>[], k: number): number {
  return rankingMetrics(ranked, relevant, k).mrr;
}
