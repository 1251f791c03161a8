/**
 * Group fairness of a quality metric: how much a per-user metric (NDCG@k, RMSE, BLEU of a user's
 * explanations, ...) differs between the groups of a sensitive attribute (user-oriented fairness,
 * Li et al. 2021 "User-oriented Fairness in Recommendation"). See also {@link attributeLeakageAuc} for
 * leakage of the attribute into representations.
 *
 * ```ts
 * groupMetricGap([0.5, 0.3, 0.2, 0.6], ['F', 'M', 'M', 'F']); // gap = 0.55 - 0.25 = 0.3
 * ```
 */
import { DataError, ShapeError } from '@xrec/core';

export interface GroupStat {
  readonly group: string;
  readonly users: number;
  readonly mean: number;
}

export interface GroupGap {
  /** Per group, sorted by group name. */
  readonly groups: readonly GroupStat[];
  /** max_g mean_g - min_g mean_g (>= 0). For two groups, the absolute difference. */
  readonly gap: number;
  /** The group with the highest / lowest mean. */
  readonly maxGroup: string;
  readonly minGroup: string;
  /** Users skipped because their value was NaN (e.g. no relevant item). */
  readonly skippedUsers: number;
}

/**
 * Per-group means of a per-user metric and their spread:
 *
 *   mean_g = (1/|U_g|) sum_{u in U_g} m_u,    gap = max_g mean_g - min_g mean_g
 *
 * NaN values (users the metric is undefined for) are skipped. Needs at least two non-empty groups.
 */
export function groupMetricGap(values: ArrayLike<number>, groups: ArrayLike<string | number | boolean>): GroupGap {
  if (values.length !== groups.length) throw new ShapeError(`groupMetricGap: ${values.length} values but ${groups.length} group labels`);
  const sums = new Map<string, { s: number; c: number }>();
  let skipped = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) {
      skipped++;
      continue;
    }
    if (!Number.isFinite(v)) throw new DataError(`groupMetricGap: value ${i} is not finite (${v})`);
    const g = String(groups[i]);
    const e = sums.get(g) ?? { s: 0, c: 0 };
    e.s += v;
    e.c++;
    sums.set(g, e);
  }
  if (sums.size < 2) throw new DataError(`groupMetricGap: need at least 2 groups with values, got ${sums.size}`);
  const stats = [...sums.entries()]
    .map(([group, e]) => ({ group, users: e.c, mean: e.s / e.c }))
    .sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  let max = stats[0]!;
  let min = stats[0]!;
  for (const s of stats) {
    if (s.mean > max.mean) max = s;
    if (s.mean < min.mean) min = s;
  }
  return { groups: stats, gap: max.mean - min.mean, maxGroup: max.group, minGroup: min.group, skippedUsers: skipped };
}
