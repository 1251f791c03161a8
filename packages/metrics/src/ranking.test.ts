import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { groupAuc, hitRateAtK, mrrAtK, ndcgAtK, rankingMetrics, rankingMetricsPerUser, rocAuc } from './index.js';

describe('HR@k, NDCG@k, MRR@k', () => {
  it('known answer: list [a b c d], relevant {b, d}, k = 3', () => {
    const m = rankingMetrics([['a', 'b', 'c', 'd']], [['b', 'd']], 3);
    expect(m.hr).toBe(1);
    expect(m.mrr).toBe(1 / 2);
    expect(m.precision).toBe(1 / 3);
    expect(m.recall).toBe(1 / 2);
    // DCG = 1/log2(3); IDCG = 1/log2(2) + 1/log2(3)
    expect(m.ndcg).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 15);
  });

  it('averages over users, skipping users with no relevant item', () => {
    const ranked = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
    const relevant = [[1], [9], []];
    expect(hitRateAtK(ranked, relevant, 3)).toBe(0.5);
    expect(mrrAtK(ranked, relevant, 3)).toBe(0.5);
    expect(ndcgAtK(ranked, relevant, 3)).toBe(0.5);
    expect(rankingMetrics(ranked, relevant, 1)).toMatchObject({ users: 2, skippedUsers: 1, hr: 0.5 });
    expect(Number.isNaN(rankingMetricsPerUser(ranked, relevant, 3).ndcg[2]!)).toBe(true);
  });

  it('errors: duplicate item, bad k, mismatched lengths, no relevant item at all', () => {
    expect(() => rankingMetrics([['a', 'a']], [['a']], 2)).toThrow(/appears twice/);
    expect(() => rankingMetrics([['a']], [['a']], 0)).toThrow(/k must be an integer >= 1/);
    expect(() => rankingMetrics([['a']], [], 1)).toThrow(/1 ranked lists but 0 relevant sets/);
    expect(() => rankingMetrics([['a']], [[]], 1)).toThrow(/no user has a relevant item/);
  });

  it('property: 0 <= MRR <= HR <= 1, NDCG in [0, 1], precision*k = recall*|R| (hits)', () => {
    const list = fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { maxLength: 10 });
    const rel = fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(list, rel, fc.integer({ min: 1, max: 12 }), (l, r, k) => {
        const p = rankingMetricsPerUser([l], [r], k);
        expect(p.mrr[0]!).toBeLessThanOrEqual(p.hr[0]!);
        expect(p.ndcg[0]!).toBeGreaterThanOrEqual(0);
        expect(p.ndcg[0]!).toBeLessThanOrEqual(1 + 1e-12);
        expect(p.precision[0]! * k).toBeCloseTo(p.recall[0]! * r.length, 9);
      }),
    );
  });
});

/** Brute force: P(score_pos > score_neg) + 0.5 P(tie) over all pairs. */
function pairwiseAuc(scores: number[], labels: number[]): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < scores.length; i++) {
    for (let j = 0; j < scores.length; j++) {
      if (labels[i] !== 1 || labels[j] !== 0) continue;
      s += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      c++;
    }
  }
  return s / c;
}

describe('ROC-AUC and group AUC', () => {
  it('known answer with a tie between a positive and a negative', () => {
    // pairs: (.9,.4)=1 (.9,.1)=1 (.4,.4)=0.5 (.4,.1)=1 → 3.5 / 4
    expect(rocAuc([0.9, 0.4, 0.4, 0.1], [1, 1, 0, 0])).toBe(0.875);
    expect(rocAuc([1, 1, 1, 1], [1, 0, true, false])).toBe(0.5);
    expect(rocAuc([0.1, 0.9], [1, 0])).toBe(0);
  });

  it('property: equals the pairwise definition; negating scores gives 1 - AUC', () => {
    const data = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1 })), { minLength: 2, maxLength: 40 }).filter((d) => d.some((x) => x[1] === 1) && d.some((x) => x[1] === 0));
    fc.assert(
      fc.property(data, (d) => {
        const s = d.map((x) => x[0]);
        const l = d.map((x) => x[1] as 0 | 1);
        const auc = rocAuc(s, l);
        expect(auc).toBeCloseTo(pairwiseAuc(s, l), 12);
        expect(rocAuc(s.map((v) => -v), l)).toBeCloseTo(1 - auc, 12);
      }),
    );
  });

  it('errors: one class only, non-finite score, bad label', () => {
    expect(() => rocAuc([1, 2], [1, 1])).toThrow(/2 positives and 0 negatives/);
    expect(() => rocAuc([NaN, 2], [1, 0])).toThrow(/not finite/);
    expect(() => rocAuc([1, 2], [1, 2 as 0])).toThrow(/label 1 must be 0, 1/);
  });

  it('GAUC known answer: impression-weighted and uniform', () => {
    const users = ['A', 'A', 'B', 'B', 'B', 'C'];
    const scores = [0.9, 0.1, 0.2, 0.8, 0.5, 0.3];
    const labels = [1, 0, 1, 0, 0, 1] as const;
    // A: AUC 1 (2 items); B: AUC 0 (3 items); C: one class, skipped
    expect(groupAuc(users, scores, labels)).toEqual({ gauc: 2 / 5, users: 2, skippedUsers: 1 });
    expect(groupAuc(users, scores, labels, { weighting: 'uniform' }).gauc).toBe(0.5);
    expect(() => groupAuc(['A'], [1], [1])).toThrow(/no user has both/);
  });
});
