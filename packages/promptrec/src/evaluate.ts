/** Click-prediction metrics of PromptRec: AUC, GAUC (the main one), accuracy and F1 at 0.5, log-loss. */
import { groupAuc, rocAuc } from '@xrec/metrics';

export interface ClickMetrics {
  readonly auc: number;
  readonly gauc: number;
  readonly acc: number;
  readonly f1: number;
  readonly logloss: number;
  readonly n: number;
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
  return {
    auc: rocAuc(p, labels),
    gauc: groupAuc(users, p, labels).gauc,
    acc: correct / n,
    f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
    logloss: ll / n,
    n,
  };
}
