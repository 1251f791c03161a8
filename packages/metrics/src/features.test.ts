import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  featureCoverageRatio,
  featureDetect,
  featureDiversity,
  featureDiversityPairwise,
  featureMatchingRatio,
  meanAbsoluteError,
  rootMeanSquareError,
  uniqueSentenceRatio,
} from './index.js';

describe('USR / FMR / FCR / DIV (PETER/PEPLER utils.py)', () => {
  it('USR known answer: [a b], [a b], [b a], [], [] has 3 distinct sequences', () => {
    expect(uniqueSentenceRatio([['a', 'b'], ['a', 'b'], ['b', 'a'], [], []])).toEqual({ usr: 3 / 5, usn: 3 });
    // order and length both matter; no token-joining ambiguity ("a b" vs "a", "b")
    expect(uniqueSentenceRatio([['a b'], ['a', 'b'], ['ab']]).usn).toBe(3);
  });

  it('FMR / FCR / DIV known answers', () => {
    const features = new Set(['room', 'staff', 'pool', 'view', 'front desk']);
    const batch = featureDetect([['room', 'staff', 'room'], ['the', 'room'], ['the', 'view'], ['front', 'desk']], features);
    expect(batch.map((s) => [...s].sort())).toEqual([['room', 'staff'], ['room'], ['view'], []]);
    // ground truth: room ✓, pool ✗, view ✓, 'front desk' ✗ (multi-word features never match a token)
    expect(featureMatchingRatio(batch, ['room', 'pool', 'view', 'front desk'])).toBe(2 / 4);
    expect(featureCoverageRatio(batch, features)).toBe(3 / 5);
    // pairs sharing features: (0,1) share 'room' → 1; the other 5 pairs share nothing → 1 / 6
    expect(featureDiversity(batch)).toBe(1 / 6);
    expect(featureDiversityPairwise(batch)).toBe(1 / 6);
  });

  it('property: USR of N identical outputs is 1/N', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 6 }), fc.integer({ min: 1, max: 50 }), (seq, n) => {
        expect(uniqueSentenceRatio(Array.from({ length: n }, () => [...seq]))).toEqual({ usr: 1 / n, usn: 1 });
      }),
    );
  });

  it('property: USN equals the number of distinct sequences (JSON keys as the naive check)', () => {
    const seq = fc.array(fc.constantFrom('a', 'b', ''), { maxLength: 3 });
    fc.assert(
      fc.property(fc.array(seq, { minLength: 1, maxLength: 30 }), (seqs) => {
        expect(uniqueSentenceRatio(seqs).usn).toBe(new Set(seqs.map((s) => JSON.stringify(s))).size);
      }),
    );
  });

  it('property: DIV by per-feature counts equals the O(N^2) pairwise definition exactly', () => {
    const fset = fc.uniqueArray(fc.constantFrom('f1', 'f2', 'f3', 'f4', 'f5', 'f6'), { maxLength: 6 }).map((a) => new Set(a));
    fc.assert(
      fc.property(fc.array(fset, { minLength: 2, maxLength: 40 }), (batch) => {
        expect(featureDiversity(batch)).toBe(featureDiversityPairwise(batch));
      }),
      { numRuns: 300 },
    );
  });

  it('errors: empty batch, one output for DIV, empty feature set, mismatched lengths', () => {
    expect(() => uniqueSentenceRatio([])).toThrow(/empty input/);
    expect(() => featureDiversity([new Set(['a'])])).toThrow(/at least 2/);
    expect(() => featureCoverageRatio([new Set()], new Set())).toThrow(/feature set is empty/);
    expect(() => featureMatchingRatio([new Set(), new Set()], ['a'])).toThrow(/2 outputs but 1/);
  });
});

describe('RMSE / MAE with clipping', () => {
  it('known answer: predictions clipped to [1, 5] first', () => {
    // clipped predictions 1, 5, 3.5 → errors 0, 0, 0.5
    const range = { minRating: 1, maxRating: 5 };
    expect(meanAbsoluteError([1, 5, 3], [0, 6, 3.5], range)).toBe(0.5 / 3);
    expect(rootMeanSquareError([1, 5, 3], [0, 6, 3.5], range)).toBe(Math.sqrt(0.25 / 3));
    expect(rootMeanSquareError([2, 4], [4, 2], range)).toBe(2);
  });

  it('errors: empty, mismatched, bad range, non-finite', () => {
    const range = { minRating: 1, maxRating: 5 };
    expect(() => meanAbsoluteError([], [], range)).toThrow(/empty input/);
    expect(() => meanAbsoluteError([1], [1, 2], range)).toThrow(/1 ratings but 2 predictions/);
    expect(() => meanAbsoluteError([1], [1], { minRating: 5, maxRating: 1 })).toThrow(/minRating <= maxRating/);
    expect(() => rootMeanSquareError([1], [NaN], range)).toThrow(/non-finite/);
  });
});
