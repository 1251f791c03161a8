import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rougeL, rougeLFromLcs, rougeN, rougeNFromCounts, rougeScore, splitOnSpace } from './index.js';
import { lcsLength } from './ngram-stats.js';

describe('ROUGE (tensorflow/nmt rouge.py as used by PEPLER)', () => {
  const gen = 'the cat sat on mat'.split(' ');
  const ref = 'the cat sat on the mat'.split(' ');

  it('ROUGE-1 uses sets of unigrams: the repeated "the" counts once', () => {
    const r = rougeN(gen, ref, 1); // sets: 5 and 5 distinct, overlap 5
    expect(r.p).toBe(1);
    expect(r.r).toBe(1);
    expect(r.f).toBe(2 / (2 + 1e-8));
  });

  it('ROUGE-2 known answer: 3 of 4 generated bigrams, 3 of 5 reference bigrams', () => {
    const r = rougeN(gen, ref, 2);
    expect(r.p).toBe(3 / 4);
    expect(r.r).toBe(3 / 5);
    expect(r.f).toBeCloseTo((2 * (0.75 * 0.6)) / (0.75 + 0.6 + 1e-8), 15);
  });

  it('ROUGE-L known answer: LCS 5, m = 6, n = 5, beta = P/R = 1.2', () => {
    expect(lcsLength([1, 2, 3, 4], [2, 4, 1])).toBe(2);
    const r = rougeL(gen, ref);
    expect(r.r).toBe(5 / 6);
    expect(r.p).toBe(1);
    // F = (1 + 1.44) * (5/6) * 1 / (5/6 + 1.44 * 1) with the 1e-12 guards
    expect(r.f).toBeCloseTo((2.44 * (5 / 6)) / (5 / 6 + 1.44), 9);
  });

  it('guards: no evaluated / reference n-grams give 0, not a division by zero', () => {
    expect(rougeNFromCounts(0, 0, 3)).toEqual({ f: 0, p: 0, r: 0 });
    expect(rougeNFromCounts(0, 2, 0)).toEqual({ f: 0, p: 0, r: 0 });
    expect(rougeLFromLcs(0, 3, 4)).toEqual({ f: 0, p: 0, r: 0 });
  });

  it('rougeScore averages per pair and reports percent; "" is the one-word sentence ""', () => {
    expect(splitOnSpace('')).toEqual(['']);
    const s = rougeScore(['the cat sat on the mat', ''], ['the cat sat on mat', '']);
    // pair 2: [''] vs ['']: ROUGE-1 P = R = 1, ROUGE-2 has no bigrams (0), ROUGE-L LCS 1 of 1
    expect(s.rouge1_p).toBeCloseTo(100, 12);
    expect(s.rouge2_p).toBeCloseTo(((3 / 4 + 0) / 2) * 100, 12);
    expect(s.rougeL_r).toBeCloseTo(((5 / 6 + 1) / 2) * 100, 12);
  });

  it('errors on empty input and mismatched lengths', () => {
    expect(() => rougeScore([], [])).toThrow(/empty input/);
    expect(() => rougeScore(['a'], ['a', 'b'])).toThrow(/same length/);
  });

  it('property: identical non-empty texts give P = R = 100 for ROUGE-1 and ROUGE-L', () => {
    const text = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 15 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 6 }), (texts) => {
        const s = rougeScore(texts, texts);
        expect(s.rouge1_p).toBeCloseTo(100, 12);
        expect(s.rouge1_r).toBeCloseTo(100, 12);
        expect(s.rougeL_p).toBeCloseTo(100, 12);
        expect(s.rougeL_r).toBeCloseTo(100, 12);
        expect(s.rouge1_f).toBeCloseTo(200 / (2 + 1e-8), 9);
      }),
      { numRuns: 200 },
    );
  });

  it('property: LCS is symmetric and bounded by the shorter length', () => {
    const seq = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 20 });
    fc.assert(
      fc.property(seq, seq, (a, b) => {
        const l = lcsLength(a, b);
        expect(l).toBe(lcsLength(b, a));
        expect(l).toBeLessThanOrEqual(Math.min(a.length, b.length));
      }),
    );
  });
});
