import { describe, expect, it } from 'vitest';
import { Rng } from '@xrec/core';
import { attributeLeakageAuc, fitLogisticRegression, groupMetricGap, logisticScore, resolveProbeConfig, stratifiedSplit } from './index.js';

function users(n: number, d: number, seed: number, signal: number): { x: number[][]; a: string[] } {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const a: string[] = [];
  for (let i = 0; i < n; i++) {
    const g = rng.float() < 0.4 ? 'F' : 'M';
    const v = Array.from({ length: d }, () => rng.normal());
    v[0]! += g === 'F' ? signal : -signal;
    x.push(v);
    a.push(g);
  }
  return { x, a };
}

describe('attribute leakage probe (logistic regression, seeded)', () => {
  it('finds an attribute written into one dimension (AUC near 1) and none in noise (AUC near 0.5)', () => {
    const leaky = users(600, 8, 1, 2.5);
    expect(attributeLeakageAuc(leaky.x, leaky.a, { seed: 3 }).auc).toBeGreaterThan(0.95);
    const clean = users(600, 8, 2, 0);
    expect(Math.abs(attributeLeakageAuc(clean.x, clean.a, { seed: 3 }).auc - 0.5)).toBeLessThan(0.1);
  });

  it('is deterministic per seed and changes with the seed', () => {
    const u = users(300, 4, 5, 0.5);
    const a = attributeLeakageAuc(u.x, u.a, { seed: 9 });
    expect(attributeLeakageAuc(u.x, u.a, { seed: 9 })).toEqual(a);
    expect(attributeLeakageAuc(u.x, u.a, { seed: 10 }).auc).not.toBe(a.auc);
    expect(a.trainSize + a.testSize).toBe(300);
  });

  it('multi-class attributes: macro one-vs-rest AUC', () => {
    const rng = new Rng(4);
    const classes = ['18-24', '25-34', '35+'];
    const a = Array.from({ length: 450 }, (_, i) => classes[i % 3]!);
    const x = a.map((c) => [classes.indexOf(c) === 0 ? 2 : 0, classes.indexOf(c) === 1 ? 2 : 0, rng.normal()].map((v) => v + rng.normal()));
    const r = attributeLeakageAuc(x, a);
    expect(r.perClass.map((p) => p.value)).toEqual(classes);
    expect(r.auc).toBeGreaterThan(0.75);
  });

  it('fits a separable problem and stratifies the split', () => {
    const x = [[-2], [-1], [1], [2], [-1.5], [1.5]];
    const m = fitLogisticRegression(x, [0, 0, 1, 1, 0, 1], { epochs: 200 });
    expect(logisticScore(m, [2])).toBeGreaterThan(0);
    expect(logisticScore(m, [-2])).toBeLessThan(0);
    const { train, test } = stratifiedSplit(['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b', 'b'], 0.5, 1);
    expect(test.filter((i) => i < 4)).toHaveLength(2);
    expect(test.filter((i) => i >= 4)).toHaveLength(3);
    expect([...train, ...test].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('validates config and inputs, naming the field', () => {
    expect(() => resolveProbeConfig({ testFraction: 1 })).toThrow(/ProbeConfig.testFraction/);
    expect(() => resolveProbeConfig({ epochs: 0 })).toThrow(/ProbeConfig.epochs/);
    expect(() => attributeLeakageAuc([[1], [2]], ['a', 'a'])).toThrow(/at least 2 distinct values/);
    expect(() => attributeLeakageAuc([[1], [2], [3]], ['a', 'a', 'b'])).toThrow(/"b" has 1 user/);
    expect(() => attributeLeakageAuc([[1]], ['a', 'b'])).toThrow(/1 representations but 2/);
  });
});

describe('groupMetricGap', () => {
  it('known answer and NaN skipping', () => {
    const g = groupMetricGap([0.5, 0.3, 0.2, 0.6, NaN], ['F', 'M', 'M', 'F', 'M']);
    expect(g.groups).toEqual([
      { group: 'F', users: 2, mean: 0.55 },
      { group: 'M', users: 2, mean: 0.25 },
    ]);
    expect(g.gap).toBeCloseTo(0.3, 15);
    expect(g).toMatchObject({ maxGroup: 'F', minGroup: 'M', skippedUsers: 1 });
    expect(() => groupMetricGap([1, 2], ['a', 'a'])).toThrow(/at least 2 groups/);
  });
});
