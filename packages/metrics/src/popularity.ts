/**
 * Popularity bias of recommendation lists: concentration of item exposure (Gini), how much of the long
 * tail gets recommended (long-tail coverage, APLT) and the average popularity of recommended items (ARP),
 * following Abdollahpouri et al. 2019 ("Managing Popularity Bias in Recommender Systems with Personalized
 * Re-ranking") and Yin et al. 2012.
 *
 * ```ts
 * const pop = new Map([['a', 10], ['b', 3], ['c', 1]]);
 * popularityBias([['a', 'b'], ['a', 'c']], pop); // { gini, longTailCoverage, aplt, averagePopularity, ... }
 * ```
 */
import { ConfigError, DataError } from '@xrec/core';
import type { ItemId } from './ranking.js';

/**
 * Gini coefficient of non-negative values x_1..x_n, sorted ascending as x_(1) <= ... <= x_(n):
 *
 *   G = sum_{i=1..n} (2 i - n - 1) x_(i) / (n sum_i x_i)
 *
 * 0 = all equal, (n - 1) / n = everything on one entry. All-zero input gives 0 (documented value).
 */
export function giniCoefficient(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) throw new DataError('giniCoefficient: no values');
  const x = Float64Array.from(values as ArrayLike<number>);
  for (let i = 0; i < n; i++) {
    if (!(x[i]! >= 0) || !Number.isFinite(x[i]!)) throw new DataError(`giniCoefficient: value ${i} must be finite and >= 0, got ${x[i]}`);
  }
  x.sort();
  let num = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    num += (2 * (i + 1) - n - 1) * x[i]!;
    total += x[i]!;
  }
  return total === 0 ? 0 : num / (n * total);
}

/** Exposure count of every item: the number of lists it appears in (`catalog` items start at 0). */
export function itemExposure(recommendations: readonly (readonly ItemId[])[], catalog?: Iterable<ItemId>): Map<ItemId, number> {
  const exposure = new Map<ItemId, number>();
  if (catalog) for (const item of catalog) exposure.set(item, 0);
  for (const list of recommendations) for (const item of list) exposure.set(item, (exposure.get(item) ?? 0) + 1);
  return exposure;
}

/** Gini of item exposure over the catalog (when given: unexposed items count as 0) or over the exposed items. */
export function exposureGini(recommendations: readonly (readonly ItemId[])[], catalog?: Iterable<ItemId>): number {
  return giniCoefficient([...itemExposure(recommendations, catalog).values()]);
}

export interface LongTailOptions {
  /** Share of the head (default 0.2). */
  readonly headShare?: number;
  /**
   * 'items' (default): the head is the ceil(headShare * |items|) most popular items.
   * 'interactions': the head is the fewest most-popular items holding >= headShare of all interactions.
   */
  readonly headBy?: 'items' | 'interactions';
}

/**
 * Split items into head and long tail by popularity (interaction counts in the training data). Items are
 * ordered by popularity, descending; ties by id (string order) so the split is deterministic.
 */
export function longTailItems(popularity: ReadonlyMap<ItemId, number>, options: LongTailOptions = {}): { head: Set<ItemId>; tail: Set<ItemId> } {
  const share = options.headShare ?? 0.2;
  const by = options.headBy ?? 'items';
  if (!(share >= 0 && share <= 1)) throw new ConfigError(`LongTailOptions.headShare must be in [0, 1], got ${share}`);
  if (by !== 'items' && by !== 'interactions') throw new ConfigError(`LongTailOptions.headBy must be 'items' or 'interactions', got ${JSON.stringify(by)}`);
  const items = [...popularity.entries()];
  for (const [item, c] of items) {
    if (!(c >= 0) || !Number.isFinite(c)) throw new DataError(`longTailItems: popularity of ${JSON.stringify(item)} must be finite and >= 0, got ${c}`);
  }
  items.sort((a, b) => b[1] - a[1] || (String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0));
  let headSize: number;
  if (by === 'items') headSize = Math.ceil(share * items.length);
  else {
    const total = items.reduce((s, e) => s + e[1], 0);
    let acc = 0;
    headSize = 0;
    while (headSize < items.length && acc < share * total) acc += items[headSize++]![1];
  }
  return { head: new Set(items.slice(0, headSize).map((e) => e[0])), tail: new Set(items.slice(headSize).map((e) => e[0])) };
}

/** Long-tail coverage = |{recommended items} ∩ T| / |T| for the tail T of {@link longTailItems}. */
export function longTailCoverage(recommendations: readonly (readonly ItemId[])[], popularity: ReadonlyMap<ItemId, number>, options: LongTailOptions = {}): number {
  const { tail } = longTailItems(popularity, options);
  if (tail.size === 0) throw new DataError('longTailCoverage: the long tail is empty (check headShare)');
  const covered = new Set<ItemId>();
  for (const list of recommendations) for (const item of list) if (tail.has(item)) covered.add(item);
  return covered.size / tail.size;
}

/** APLT = (1/|U|) sum_u |L_u ∩ T| / |L_u| — the average share of long-tail items per list (empty lists skipped). */
export function averagePercentageLongTail(recommendations: readonly (readonly ItemId[])[], popularity: ReadonlyMap<ItemId, number>, options: LongTailOptions = {}): number {
  const { tail } = longTailItems(popularity, options);
  let s = 0;
  let c = 0;
  for (const list of recommendations) {
    if (list.length === 0) continue;
    let t = 0;
    for (const item of list) if (tail.has(item)) t++;
    s += t / list.length;
    c++;
  }
  if (c === 0) throw new DataError('averagePercentageLongTail: every recommendation list is empty');
  return s / c;
}

/** ARP = (1/|U|) sum_u (1/|L_u|) sum_{i in L_u} pop(i); items missing from `popularity` count 0; empty lists skipped. */
export function averagePopularity(recommendations: readonly (readonly ItemId[])[], popularity: ReadonlyMap<ItemId, number>): number {
  let s = 0;
  let c = 0;
  for (const list of recommendations) {
    if (list.length === 0) continue;
    let t = 0;
    for (const item of list) t += popularity.get(item) ?? 0;
    s += t / list.length;
    c++;
  }
  if (c === 0) throw new DataError('averagePopularity: every recommendation list is empty');
  return s / c;
}

export interface PopularityBias {
  /** Gini of exposure over the catalog (default catalog: the items of `popularity`). */
  readonly gini: number;
  readonly longTailCoverage: number;
  readonly aplt: number;
  readonly averagePopularity: number;
  /** |distinct recommended items ∩ catalog| / |catalog|. */
  readonly catalogCoverage: number;
}

/** All popularity-bias measures at once; the catalog defaults to the keys of `popularity`. */
export function popularityBias(
  recommendations: readonly (readonly ItemId[])[],
  popularity: ReadonlyMap<ItemId, number>,
  options: LongTailOptions & { readonly catalog?: Iterable<ItemId> } = {},
): PopularityBias {
  const catalog = new Set(options.catalog ?? popularity.keys());
  if (catalog.size === 0) throw new DataError('popularityBias: the catalog is empty');
  const exposure = itemExposure([], catalog);
  for (const list of recommendations) for (const item of list) if (exposure.has(item)) exposure.set(item, exposure.get(item)! + 1);
  let covered = 0;
  for (const c of exposure.values()) if (c > 0) covered++;
  return {
    gini: giniCoefficient([...exposure.values()]),
    longTailCoverage: longTailCoverage(recommendations, popularity, options),
    aplt: averagePercentageLongTail(recommendations, popularity, options),
    averagePopularity: averagePopularity(recommendations, popularity),
    catalogCoverage: covered / catalog.size,
  };
}
