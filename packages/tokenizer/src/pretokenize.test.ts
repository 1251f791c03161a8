import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GPT2_SPLIT_PATTERN, gpt2PreTokenize, regexPreTokenizer } from './pretokenize.js';

const GPT2_RE = new RegExp(GPT2_SPLIT_PATTERN, 'gu');
const byRegex = (s: string): string[] => Array.from(s.matchAll(GPT2_RE), (m) => m[0]);

/** Characters that exercise every branch of the pattern: spaces of several kinds, apostrophes, letters, digits, marks, astral, surrogates. */
const tricky = [' ', ' ', ' ', '  ', '\n', '\t', '\r', '\u00a0', '\u3000', '\ufeff', '\u0085', "'", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", 'a', 'Z', 'é', 'ß', '中', '٣', '½', '7', '0', '.', '!', '$', '-', '\u0301', '😀', '𝔘', '\ud800', '\udc00', 'x', 'll', 're'];
const trickyString = fc.array(fc.constantFrom(...tricky), { maxLength: 30 }).map((a) => a.join(''));

describe('gpt2PreTokenize', () => {
  it('splits a known sentence like GPT-2', () => {
    expect(gpt2PreTokenize("I'll pay $12.50  now!")).toEqual(['I', "'ll", ' pay', ' $', '12', '.', '50', ' ', ' now', '!']);
    expect(gpt2PreTokenize('a\n\n b   ')).toEqual(['a', '\n\n', ' b', '   ']);
    expect(gpt2PreTokenize('')).toEqual([]);
  });

  it('equals the JS RegExp of the GPT-2 pattern on tricky strings', () => {
    fc.assert(fc.property(trickyString, (s) => {
      expect(gpt2PreTokenize(s)).toEqual(byRegex(s));
    }), { numRuns: 3000 });
  });

  it('equals the RegExp on arbitrary strings, including lone surrogates', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      expect(gpt2PreTokenize(s)).toEqual(byRegex(s));
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
      expect(gpt2PreTokenize(s)).toEqual(byRegex(s));
    }), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => {
      expect(gpt2PreTokenize(s)).toEqual(byRegex(s));
    }), { numRuns: 1000 });
  });
});

describe('regexPreTokenizer', () => {
  it('keeps the text between matches as pieces', () => {
    const split = regexPreTokenizer('\\d+', 'test');
    expect(split('ab12cd3')).toEqual(['ab', '12', 'cd', '3']);
  });
  it('throws a VocabError for a pattern JS cannot compile', () => {
    expect(() => regexPreTokenizer('(?i:abc', 'tokenizer.json')).toThrow(/not a valid JavaScript regular expression/);
  });
});
