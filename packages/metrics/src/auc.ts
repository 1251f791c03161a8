/**
 * Area under the ROC curve by the rank-sum (Mann-Whitney U) identity, with tied scores given their average
 * rank (so a tie between a positive and a negative counts one half), and per-user group AUC (GAUC, Zhou
 * et al. 2018), used for cold-start evaluation.
 *
 * ```ts
 * rocAuc([0.9, 0.4, 0.4, 0.1], [1, 1, 0, 0]); // (1 + 1 + 1 + 0.5) / 4 = 0.875
 * ```
 */
import { ConfigError, DataError, ShapeError } from '@xrec/core';

/** A binary label: 1 / true = positive, 0 / false = negative. */
export type BinaryLabel = 0 | 1 | boolean;

function isPositive(where: string, label: BinaryLabel, i: number): boolean {
  if (label === 1 || label === true) return true;
  if (label === 0 || label === false) return false;
  throw new DataError(`${where}: label ${i} must be 0, 1, true or false, got ${JSON.stringify(label)}`);
}

/**
 * ROC-AUC = (sum_{i positive} rank_i - P (P + 1) / 2) / (P N), ranks 1..P+N by ascending score, ties
 * sharing their average rank. Equals P(score of a random positive > a random negative) + 1/2 P(tie).
 * Undefined (error) when there is no positive or no negative. Scores must be finite.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<BinaryLabel>): number {
  if (scores.length !== labels.length) throw new ShapeError(`rocAuc: ${scores.length} scores but ${labels.length} labels`);
  const n = scores.length;
  const pos = new Uint8Array(n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (!Number.isFinite(s)) throw new DataError(`rocAuc: score ${i} is not finite (${s})`);
    if (isPositive('rocAuc', labels[i]!, i)) {
      pos[i] = 1;
      p++;
    }
  }
  const neg = n - p;
  if (p === 0 || neg === 0) {
    throw new DataError(`rocAuc: AUC needs both classes, got ${p} positives and ${neg} negatives`);
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    const v = scores[order[i]!]!;
    while (j + 1 < n && scores[order[j + 1]!] === v) j++;
    const avgRank = (i + 1 + (j + 1)) / 2; // ranks i+1 .. j+1 share their mean
    for (let t = i; t <= j; t++) if (pos[order[t]!]) rankSum += avgRank;
    i = j + 1;
  }
  return (rankSum - (p * (p + 1)) / 2) / (p * neg);
}

export interface GroupAucOptions {
  /** 'impressions' (default, as GAUC): weight each user by their number of scored items; 'uniform': weight 1. */
  readonly weighting?: 'impressions' | 'uniform';
}

export interface GroupAucResult {
  readonly gauc: number;
  /** Users whose AUC was defined (both classes present). */
  readonly users: number;
  /** Users skipped because all their labels were one class. */
  readonly skippedUsers: number;
}

/**
 * Group AUC: GAUC = sum_u w_u AUC_u / sum_u w_u over users u having both a positive and a negative,
 * AUC_u = {@link rocAuc} of u's scores, w_u = u's number of scored items ('impressions') or 1 ('uniform').
 */
export function groupAuc(
  users: ArrayLike<string | number>,
  scores: ArrayLike<number>,
  labels: ArrayLike<BinaryLabel>,
  options: GroupAucOptions = {},
): GroupAucResult {
  const weighting = options.weighting ?? 'impressions';
  if (weighting !== 'impressions' && weighting !== 'uniform') {
    throw new ConfigError(`groupAuc: weighting must be 'impressions' or 'uniform', got ${JSON.stringify(weighting)}`);
  }
  if (users.length !== scores.length || users.length !== labels.length) {
    throw new ShapeError(`groupAuc: users, scores and labels must have one length, got ${users.length}, ${scores.length}, ${labels.length}`);
  }
  const byUser = new Map<string | number, number[]>();
  for (let i = 0; i < users.length; i++) {
    const u = users[i]!;
    let list = byUser.get(u);
    if (!list) byUser.set(u, (list = []));
    list.push(i);
  }
  let num = 0;
  let den = 0;
  let used = 0;
  for (const idx of byUser.values()) {
    let p = 0;
    for (const i of idx) if (isPositive('groupAuc', labels[i]!, i)) p++;
    if (p === 0 || p === idx.length) continue;
    const auc = rocAuc(idx.map((i) => scores[i]!), idx.map((i) => labels[i]!));
    const w = weighting === 'impressions' ? idx.length : 1;
    num += w * auc;
    den += w;
    used++;
  }
  if (used === 0) throw new DataError(`groupAuc: no user has both a positive and a negative (${byUser.size} users)`);
  return { gauc: num / den, users: used, skippedUsers: byUser.size - used };
}
