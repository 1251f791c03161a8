/**
 * Evaluation protocols over the plain method contracts of `@xrec/core`: ranking a user's candidates with any
 * {@link Scorer}, and probing user representations for a sensitive attribute (leakage).
 */
import { DataError, type RankingCase, type Scorer } from '@xrec/core';
import { attributeLeakageAuc, type LeakageResult, type ProbeConfig } from './probe.js';
import { rankingMetrics, type RankingMetrics } from './ranking.js';

/**
 * Rank every case's candidates by the scorer (ties keep the candidates' order) and compute HR, NDCG, MRR
 * (and the rest of {@link rankingMetrics}) at `k`. Cases come from a split protocol, e.g. leave-one-out with
 * the target plus sampled negatives as candidates.
 */
export async function evaluateRanking(scorer: Scorer, cases: readonly RankingCase[], opts: { k: number }): Promise<RankingMetrics> {
  if (cases.length === 0) throw new DataError('evaluateRanking: no cases');
  const ranked: string[][] = [];
  for (const c of cases) {
    const scores = await scorer.scoreCandidates(c.user, c.candidates);
    if (scores.length !== c.candidates.length) {
      throw new DataError(`evaluateRanking: the scorer returned ${scores.length} scores for ${c.candidates.length} candidates of user '${c.user}'`);
    }
    const order = c.candidates.map((_, i) => i).sort((a, b) => (scores[b]! - scores[a]!) || a - b);
    ranked.push(order.map((i) => c.candidates[i]!));
  }
  return rankingMetrics(ranked, cases.map((c) => c.relevant), opts.k);
}

/**
 * Leakage of each attribute from user representations: a logistic-regression probe per attribute (trained
 * and tested on a stratified split of the users, {@link attributeLeakageAuc}); AUC 0.5 = nothing leaks.
 * Users without a representation or a value of an attribute are left out of that attribute.
 */
export function evaluateLeakage(
  representations: ReadonlyMap<string, ArrayLike<number>>,
  attributes: ReadonlyMap<string, ReadonlyMap<string, string | number | boolean>>,
  config: Partial<ProbeConfig> = {},
): Map<string, LeakageResult> {
  const out = new Map<string, LeakageResult>();
  for (const [attribute, byUser] of attributes) {
    const users = [...byUser.keys()].filter((u) => representations.has(u));
    out.set(attribute, attributeLeakageAuc(users.map((u) => representations.get(u)!), users.map((u) => byUser.get(u)!), config));
  }
  return out;
}
