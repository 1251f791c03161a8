import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { postprocess, pythonSplit, pythonStrip, wordTokens } from './index.js';

describe('postprocess / wordTokens (PEPLER postprocessing + str.split())', () => {
  it('known answers worked out rule by rule', () => {
    expect(postprocess("It's great (really)!!")).toBe("It 's great ( really ) !");
    expect(wordTokens("don't,stop...now")).toEqual(['do', "n't", ',', 'stop', '.', 'now']);
    // ':' maps to ',' and ';' maps to '.', runs collapse to one symbol
    expect(wordTokens('a:b;c')).toEqual(['a', ',', 'b', '.', 'c']);
    expect(wordTokens('x,,,y::z;;;w')).toEqual(['x', ',', 'y', ',', 'z', '.', 'w']);
    // '!' runs are replaced before '?' runs
    expect(wordTokens('Wait?!?')).toEqual(['Wait', '?', '!', '?']);
    expect(wordTokens("I'm sure they'll say we'd've")).toEqual(['I', "'m", 'sure', 'they', "'ll", 'say', 'we', "'d", "'ve"]);
    expect(wordTokens("isn't it")).toEqual(['is', "n't", 'it']);
    expect(wordTokens('e.g. 3.5')).toEqual(['e', '.', 'g', '.', '3', '.', '5']);
    expect(wordTokens('')).toEqual([]);
    expect(wordTokens('  \t\n ')).toEqual([]);
  });

  it("splits on Python's whitespace, not JavaScript's", () => {
    // \xa0 and \x85 are Python whitespace; \ufeff is JavaScript whitespace only.
    expect(wordTokens('a\u00a0b\u0085c\ufeffd')).toEqual(['a', 'b', 'c\ufeffd']);
    expect(pythonSplit('\x1cx\x1fy\u3000z')).toEqual(['x', 'y', 'z']);
    expect(pythonStrip('\u2028 a b \u2029')).toBe('a b');
  });

  it('property: tokens are non-empty, contain no whitespace, and re-tokenizing is the identity', () => {
    const alphabet = fc.constantFrom('a', 'b', 'n', "'", 's', 't', 'd', '(', ')', ',', ':', ';', '.', '!', '?', ' ', '\t', '\u00a0');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }).map((cs) => cs.join('')), (text) => {
        const toks = wordTokens(text);
        for (const t of toks) expect(t).toMatch(/^\S+$/u);
        expect(wordTokens(toks.join(' '))).toEqual(toks);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects non-strings', () => {
    expect(() => postprocess(3 as unknown as string)).toThrow(/expected a string/);
  });
});
