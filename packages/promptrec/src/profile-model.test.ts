import { describe, expect, it } from 'vitest';
import { Rng } from '@xrec/core';
import { rocAuc } from '@xrec/metrics';
import { perUserRanking, slotFeatures, trainProfileModel, type ProfileRow } from './index.js';

describe('profile baselines (logistic regression, factorization machine)', () => {
  it('one-hot slot features split list values and skip missing slots', () => {
    expect(slotFeatures({ gender: 'woman', area: undefined, categories: 'action, comedy, and drama', kid: '' })).toEqual(['gender=woman', 'categories=action', 'categories=comedy', 'categories=drama']);
    expect(slotFeatures({ categories: 'animated and comedy' })).toEqual(['categories=animated', 'categories=comedy']);
  });

  const rows = (n: number, seed: number, rule: (u: number, i: number) => boolean): ProfileRow[] => {
    const rng = new Rng(seed);
    return Array.from({ length: n }, () => {
      const u = Math.floor(rng.float() * 2);
      const i = Math.floor(rng.float() * 2);
      const noise = rng.float() < 0.05;
      return { features: [`user=${u}`, `item=${i}`, `noise=${Math.floor(rng.float() * 5)}`], click: (rule(u, i) !== noise ? 1 : 0) as 0 | 1 };
    });
  };
  const auc = (m: ReturnType<typeof trainProfileModel>, test: ProfileRow[]) => rocAuc(m.predict(test.map((r) => r.features)), test.map((r) => r.click));

  it('logistic regression learns an additive rule; only the factorization machine learns an interaction (XOR of user and item)', () => {
    const additive = (u: number) => u === 1;
    const lr = trainProfileModel(rows(250, 1, additive), rows(50, 2, additive), { kind: 'lr', seed: 1 });
    expect(auc(lr, rows(500, 3, additive))).toBeGreaterThan(0.9);
    const xor = (u: number, i: number) => u === i;
    const lrXor = trainProfileModel(rows(250, 1, xor), rows(50, 2, xor), { kind: 'lr', seed: 1 });
    expect(Math.abs(auc(lrXor, rows(500, 3, xor)) - 0.5)).toBeLessThan(0.1);
    const fm = trainProfileModel(rows(250, 1, xor), rows(50, 2, xor), { kind: 'fm', factors: 4, epochs: 1500, lr: 0.5, l2: 1e-4, seed: 1 });
    expect(auc(fm, rows(500, 3, xor))).toBeGreaterThan(0.9);
    // a feature never seen in training contributes nothing
    expect(Array.from(lr.predict([['user=1', 'brand-new=1']]))).toEqual(Array.from(lr.predict([['user=1']])));
    expect(() => trainProfileModel([], [])).toThrow(/no training rows/);
  });

  it('the ranking view: NDCG@10 and HR@10 per user (known answers), users with one label only skipped', () => {
    // user a: clicked item ranked 2nd of 3 → NDCG 1/log2(3); user b: clicked first → 1; user c: all clicked → skipped
    const r = perUserRanking(['a', 'a', 'a', 'b', 'b', 'c'], [0.9, 0.5, 0.1, 0.7, 0.2, 0.3], [0, 1, 0, 1, 0, 1]);
    expect(r.users).toBe(2);
    expect(r.ndcg).toBeCloseTo((1 / Math.log2(3) + 1) / 2, 12);
    expect(r.hr).toBe(1);
    // with k = 1 user a's click is outside the top 1
    expect(perUserRanking(['a', 'a', 'a'], [0.9, 0.5, 0.1], [0, 1, 0], 1)).toEqual({ ndcg: 0, hr: 0, users: 1 });
    expect(perUserRanking(['a'], [0.5], [1]).users).toBe(0);
  });
});
