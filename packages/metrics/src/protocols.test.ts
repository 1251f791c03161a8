import { describe, expect, it } from 'vitest';
import { Rng, type Scorer } from '@xrec/core';
import { evaluateLeakage, evaluateRanking } from './protocols.js';
import { rankingMetrics } from './ranking.js';

describe('evaluation protocols', () => {
  it('evaluateRanking ranks each case by the scorer and equals rankingMetrics on that ranking', async () => {
    const prefs: Record<string, Record<string, number>> = { u1: { a: 0.9, b: 0.1, c: 0.5 }, u2: { a: 0.2, b: 0.3, c: 0.8 } };
    const scorer: Scorer = { scoreCandidates: (user, items) => items.map((i) => prefs[user]![i]!) };
    const cases = [
      { user: 'u1', candidates: ['a', 'b', 'c'], relevant: ['c'] },
      { user: 'u2', candidates: ['a', 'b', 'c'], relevant: ['c'] },
    ];
    const m = await evaluateRanking(scorer, cases, { k: 2 });
    expect(m).toEqual(rankingMetrics([['a', 'c', 'b'], ['c', 'b', 'a']], [['c'], ['c']], 2));
    expect(m.hr).toBe(1);
    await expect(evaluateRanking({ scoreCandidates: () => [1] }, cases, { k: 2 })).rejects.toThrow(/1 scores for 3 candidates of user 'u1'/);
  });

  it('evaluateLeakage: a representation that encodes the attribute leaks (AUC ~1), noise does not (~0.5)', () => {
    const rng = new Rng(4);
    const users = Array.from({ length: 200 }, (_, i) => `u${i}`);
    const gender = new Map(users.map((u, i) => [u, i % 2 === 0 ? 'F' : 'M']));
    const leaky = new Map(users.map((u, i) => [u, [i % 2 === 0 ? 1 + rng.normal(0, 0.3) : -1 + rng.normal(0, 0.3), rng.normal(0, 1)]]));
    const fair = new Map(users.map((u) => [u, [rng.normal(0, 1), rng.normal(0, 1)]]));
    const attrs = new Map([['gender', gender]]);
    expect(evaluateLeakage(leaky, attrs).get('gender')!.auc).toBeGreaterThan(0.95);
    expect(Math.abs(evaluateLeakage(fair, attrs).get('gender')!.auc - 0.5)).toBeLessThan(0.15);
  });
});
