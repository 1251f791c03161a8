import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isXrecError } from '@xrec/core';
import { bleuFromCounts, bleuScore, computeBleu } from './index.js';

const ref = 'the cat sat on the mat'.split(' ');
const gen = 'the cat sat on mat'.split(' ');

describe('BLEU (tensorflow/nmt compute_bleu)', () => {
  it('known answer: "the cat sat on mat" vs "the cat sat on the mat"', () => {
    // clipped matches / possible: 1-grams 5/5, 2-grams 3/4, 3-grams 2/3, 4-grams 1/2; c = 5, r = 6
    const r = computeBleu([ref], [gen]);
    expect(r.precisions).toEqual([1, 3 / 4, 2 / 3, 1 / 2]);
    expect(r.translationLength).toBe(5);
    expect(r.referenceLength).toBe(6);
    // BP = exp(1 - 6/5) = exp(-0.2); geo mean = (1 * 3/4 * 2/3 * 1/2)^(1/4) = 0.25^(1/4) = 1/sqrt(2)
    expect(r.brevityPenalty).toBeCloseTo(Math.exp(-0.2), 14);
    expect(bleuScore([ref], [gen], 4)).toBeCloseTo(100 * Math.SQRT1_2 * Math.exp(-0.2), 10);
    expect(bleuScore([ref], [gen], 1)).toBeCloseTo(100 * Math.exp(-0.2), 10);
  });

  it('clips a repeated word to its count in the reference (Papineni et al. "the the the")', () => {
    const r = computeBleu([['the', 'cat']], [['the', 'the', 'the']], { maxOrder: 1 });
    expect(r.precisions).toEqual([1 / 3]);
    expect(r.brevityPenalty).toBe(1); // c = 3 > r = 2
  });

  it('is corpus-level: counts are summed before dividing', () => {
    // pair 1: 1/1 unigram; pair 2: 0/3 → p1 = 1/4 (not the mean of 1 and 0)
    const r = computeBleu([['a'], ['b', 'c', 'd']], [['a'], ['x', 'y', 'z']], { maxOrder: 1 });
    expect(r.precisions).toEqual([1 / 4]);
    expect(r.bleu).toBe(0.25);
  });

  it('no 4-gram match gives BLEU-4 = 0 without smoothing; smoothing adds one to every order', () => {
    expect(bleuScore([['a', 'b', 'c', 'd']], [['a', 'b', 'c', 'x']], 4)).toBe(0);
    const s = computeBleu([['a', 'b', 'c', 'd']], [['a', 'b', 'c', 'x']], { smooth: true });
    expect(s.precisions).toEqual([4 / 5, 3 / 4, 2 / 3, 1 / 2]);
  });

  it('documented values where the reference divides by zero', () => {
    expect(computeBleu([['a', 'b']], [[]]).bleu).toBe(0); // c = 0
    expect(computeBleu([[]], [['a']]).bleu).toBe(0); // r = 0
    expect(bleuFromCounts({ matches: [0], possible: [0], translationLength: 0, referenceLength: 0 }, 1).bleu).toBe(0);
  });

  it('errors: empty input, mismatched lengths, bad order', () => {
    expect(() => computeBleu([], [])).toThrow(/empty input/);
    try {
      computeBleu([['a']], []);
      expect.unreachable();
    } catch (e) {
      expect(isXrecError(e, 'XREC_SHAPE')).toBe(true);
      expect((e as Error).message).toMatch(/1 references and 0 generated/);
    }
    expect(() => computeBleu([['a']], [['a']], { maxOrder: 0 })).toThrow(/maxOrder/);
  });

  it('property: BLEU of a corpus against itself is 100 (given one text of >= 4 tokens)', () => {
    const word = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const corpus = fc.tuple(fc.array(word, { minLength: 4, maxLength: 12 }), fc.array(fc.array(word, { maxLength: 12 }), { maxLength: 10 }));
    fc.assert(
      fc.property(corpus, ([long, rest]) => {
        const texts = [long, ...rest];
        expect(bleuScore(texts, texts, 4)).toBeCloseTo(100, 12);
        expect(bleuScore(texts, texts, 1)).toBeCloseTo(100, 12);
      }),
      { numRuns: 200 },
    );
  });

  it('corpus BLEU-4 can exceed BLEU-1: a short unmatched pair weighs on unigram precision alone', () => {
    // unigrams 4 of 5 match; the one bigram, trigram and 4-gram there are all in the long pair and all match
    const refs = [['a'], ['a', 'b', 'c', 'a']];
    const gens = [['c'], ['a', 'b', 'c', 'a']];
    expect(bleuScore(refs, gens, 1)).toBeCloseTo(80, 10);
    expect(bleuScore(refs, gens, 4)).toBeCloseTo(100 * 0.8 ** 0.25, 10);
  });

  it('property: 0 <= BLEU <= 100·BP, BLEU-1 = 100·BP·p1 and BLEU-4 <= 100·BP·p1^(1/4) on random corpora', () => {
    const word = fc.constantFrom('a', 'b', 'c', 'd');
    const pairs = fc.array(fc.tuple(fc.array(word, { minLength: 1, maxLength: 8 }), fc.array(word, { minLength: 1, maxLength: 8 })), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(pairs, (ps) => {
        const refs = ps.map((p) => p[0]);
        const gens = ps.map((p) => p[1]);
        const { brevityPenalty: bp, precisions } = computeBleu(refs, gens);
        const b1 = bleuScore(refs, gens, 1);
        const b4 = bleuScore(refs, gens, 4);
        expect(b1).toBeCloseTo(100 * bp * precisions[0]!, 9);
        for (const b of [b1, b4]) {
          expect(b).toBeGreaterThanOrEqual(0);
          expect(b).toBeLessThanOrEqual(100 * bp + 1e-9);
        }
        expect(b4).toBeLessThanOrEqual(100 * bp * precisions[0]! ** 0.25 + 1e-9);
      }),
      { numRuns: 200 },
    );
  });
});
