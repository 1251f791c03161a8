/**
 * Click-prediction metrics of PromptRec: AUC, GAUC (the main one), accuracy and F1 at 0.5, log-loss — and the
 * ranking view xrec adds: per user, the user's test items ranked by score, NDCG@10 and HR@10 (binary relevance
 * = click) averaged over the users with at least one clicked and one unclicked test item (for the others the
 * ranking is trivial).
 */
import { groupAuc, rocAuc } from '@xrec/metrics';

export interface ClickMetrics {
  readonly auc: number;
  readonly gauc: number;
  readonly acc: number;
  readonly f1: number;
  readonly logloss: number;
  readonly ndcg10: number;
  readonly hr10: number;
  readonly n: number;
}

/** Mean NDCG@k and HR@k over users with both labels among their rows (ties keep the rows' order). */
export function perUserRanking(users: readonly string[], p: ArrayLike<number>, labels: ArrayLike<0 | 1>, k = 10): { ndcg: number; hr: number; users: number } {
  const byUser = new Map<string, number[]>();
  users.forEach((u, i) => byUser.set(u, [...(byUser.get(u) ?? []), i]));
  let ndcg = 0;
  let hr = 0;
  let counted = 0;
  for (const rows of byUser.values()) {
    const pos = rows.filter((i) => labels[i] === 1).length;
    if (pos === 0 || pos === rows.length) continue;
    const ranked = [...rows].sort((a, b) => p[b]! - p[a]! || a - b).slice(0, k);
    let dcg = 0;
    ranked.forEach((i, r) => (dcg += labels[i] === 1 ? 1 / Math.log2(r + 2) : 0));
    let idcg = 0;
    for (let r = 0; r < Math.min(k, pos); r++) idcg += 1 / Math.log2(r + 2);
    ndcg += dcg / idcg;
    hr += ranked.some((i) => labels[i] === 1) ? 1 : 0;
    counted++;
  }
  return counted === 0 ? { ndcg: Number.NaN, hr: Number.NaN, users: 0 } : { ndcg: ndcg / counted, hr: hr / counted, users: counted };
}

export function clickMetrics(users: readonly string[], p: ArrayLike<number>, labels: ArrayLike<0 | 1>): ClickMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let correct = 0;
  let ll = 0;
  const eps = 1e-7;
  for (let i = 0; i < labels.length; i++) {
    const pred = p[i]! >= 0.5 ? 1 : 0;
    const y = labels[i]!;
    if (pred === y) correct++;
    if (pred === 1 && y === 1) tp++;
    if (pred === 1 && y === 0) fp++;
    if (pred === 0 && y === 1) fn++;
    const q = Math.min(1 - eps, Math.max(eps, p[i]!));
    ll -= y === 1 ? Math.log(q) : Math.log(1 - q);
  }
  const n = labels.length;
  const ranking = perUserRanking(users, p, labels, 10);
  return {
    auc: rocAuc(p, labels),
    gauc: groupAuc(users, p, labels).gauc,
    acc: correct / n,
    f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
    logloss: ll / n,
    ndcg10: ranking.ndcg,
    hr10: ranking.hr,
    n,
  };
}
