import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { averagePercentageLongTail, averagePopularity, exposureGini, giniCoefficient, longTailCoverage, longTailItems, popularityBias } from './index.js';

const pop = new Map<string, number>([['a', 10], ['b', 5], ['c', 3], ['d', 2], ['e', 1]]);

describe('popularity bias', () => {
  it('Gini known answers', () => {
    expect(giniCoefficient([1, 1, 1, 1])).toBe(0);
    expect(giniCoefficient([0, 0, 0, 10])).toBe(0.75); // (n - 1) / n
    expect(giniCoefficient([4, 1, 3, 2])).toBe(0.25); // sum (2i - n - 1) x_(i) = 10, n sum x = 40
    expect(giniCoefficient([0, 0])).toBe(0);
    expect(() => giniCoefficient([])).toThrow(/no values/);
    expect(() => giniCoefficient([-1])).toThrow(/>= 0/);
  });

  it('exposure Gini counts unexposed catalog items as 0', () => {
    expect(exposureGini([['a'], ['a']])).toBe(0);
    expect(exposureGini([['a'], ['a']], ['a', 'b'])).toBe(0.5);
  });

  it('long tail, coverage, APLT, ARP known answers', () => {
    expect([...longTailItems(pop).head]).toEqual(['a']); // ceil(0.2 * 5) = 1 item
    expect([...longTailItems(pop, { headBy: 'interactions', headShare: 0.4 }).head]).toEqual(['a']); // 10 >= 0.4 * 21 = 8.4
    expect([...longTailItems(pop, { headBy: 'interactions', headShare: 0.6 }).head]).toEqual(['a', 'b']); // 10 < 12.6 <= 15
    const recs = [['a', 'b'], ['a', 'c']];
    expect(longTailCoverage(recs, pop)).toBe(0.5); // b, c of b, c, d, e
    expect(averagePercentageLongTail(recs, pop)).toBe(0.5);
    expect(averagePopularity(recs, pop)).toBe(7); // mean(7.5, 6.5)
    expect(popularityBias(recs, pop)).toEqual({
      gini: giniCoefficient([2, 1, 1, 0, 0]),
      longTailCoverage: 0.5,
      aplt: 0.5,
      averagePopularity: 7,
      catalogCoverage: 3 / 5,
    });
    expect(() => longTailItems(pop, { headShare: 2 })).toThrow(/headShare/);
  });

  it('property: 0 <= Gini <= (n - 1) / n', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(100), { minLength: 1, maxLength: 30 }), (xs) => {
        const g = giniCoefficient(xs);
        expect(g).toBeGreaterThanOrEqual(-1e-12);
        expect(g).toBeLessThanOrEqual((xs.length - 1) / xs.length + 1e-12);
      }),
    );
  });
});
