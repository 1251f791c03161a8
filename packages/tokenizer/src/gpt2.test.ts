import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getEncoding } from 'js-tiktoken';
import gpt3 from 'gpt-3-encoder';
import { isXrecError, VocabError } from '@xrec/core';
import { GPT2_DIR } from '../test/helpers.js';
import { loadGpt2Dir, gpt2FromText } from './gpt2-files.js';
import { utf8Encode } from './utf8.js';
import { BYTE_TO_UNICODE } from './byte-unicode.js';

const tok = loadGpt2Dir(GPT2_DIR);
const tiktoken = getEncoding('gpt2');

const SAMPLES = [
  'Hello world',
  "I'll buy it again; it's GREAT!!! Can't beat $12.99 :-)",
  'These strings are   spaced\n\n\tand\r\ntabbed  ',
  'Ünïcödé — “quotes”, emoji 😀👍🏽, CJK 中文字, Arabic عربي, math ∑∫, 12,345.67',
  "'s 're 've 'm 'll 'd 'S 'RE",
  ' leading space and trailing space ',
  '\u00a0nbsp\u3000ideographic\u2028line sep',
];

describe('GPT-2 vocabulary files', () => {
  it('loads encoder.json + vocab.bpe with 50257 ids and <|endoftext|> as BOS/EOS', () => {
    expect(tok.vocabSize).toBe(50257);
    expect(tok.model.merges.length).toBe(50000);
    expect(tok.specialTokens).toEqual({ '<|endoftext|>': 50256 });
    expect(tok.bosId).toBe(50256);
    expect(tok.eosId).toBe(50256);
    expect(tok.padId).toBeUndefined();
    expect(tok.tokenToId('Ġthe')).toBe(262);
    expect(tok.idToToken(262)).toBe('Ġthe');
    expect(tok.idToToken(50257)).toBeUndefined();
  });

  it('encodes known answers', () => {
    expect(tok.encode('Hello world')).toEqual([15496, 995]);
    expect(tok.encode('')).toEqual([]);
    expect(tok.decode([])).toBe('');
  });

  it.each(SAMPLES)('matches js-tiktoken and gpt-3-encoder on %j', (s) => {
    const ids = tok.encode(s);
    expect(ids).toEqual(tiktoken.encode(s));
    expect(ids).toEqual(gpt3.encode(s));
    expect(tok.decode(ids)).toBe(s);
  });

  it('matches js-tiktoken on arbitrary Unicode and round-trips (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (s) => {
        const ids = tok.encode(s);
        expect(ids).toEqual(tiktoken.encode(s));
        expect(tok.decode(ids)).toBe(s);
      }),
      { numRuns: 1500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        expect(tok.encode(s)).toEqual(tiktoken.encode(s));
      }),
      { numRuns: 1000 },
    );
  });

  it('encodes lone surrogates as U+FFFD, like TextEncoder (defined behaviour)', () => {
    const s = 'a\ud800b\udc00';
    const ids = tok.encode(s);
    expect(ids).toEqual(tiktoken.encode(s));
    expect(tok.decode(ids)).toBe('a\ufffdb\ufffd');
  });

  it('decodes ids that cut a multi-byte character with U+FFFD, and decodeBytes gives the exact bytes', () => {
    const ids = tok.encode('𝔘'); // 4 bytes, more than one token
    expect(ids.length).toBeGreaterThan(1);
    expect(tok.decode(ids.slice(0, 1))).toContain('\ufffd');
    const all = ids.flatMap((id) => [...tok.decodeBytes([id])]);
    expect(all).toEqual([...utf8Encode('𝔘')]);
  });

  it('throws VocabError for unknown ids, naming the id and position', () => {
    expect(() => tok.decode([15496, 50257])).toThrow(VocabError);
    expect(() => tok.decode([15496, 50257])).toThrow(/id 50257 at position 1/);
    expect(() => tok.decode([-1])).toThrow(VocabError);
    expect(() => tok.decode([1.5])).toThrow(VocabError);
    expect(() => tok.decode([Number.NaN])).toThrow(VocabError);
    expect(() => tok.encode(undefined as unknown as string)).toThrow(VocabError);
    expect(() => tok.decode('15496' as unknown as number[])).toThrow(/expected an array of token ids/);
    expect(tok.decode(Int32Array.of(15496, 995))).toBe('Hello world');
  });

  it('handles long single pieces (heap path) identically to tiktoken', () => {
    for (const s of ['a'.repeat(3000), '!?'.repeat(700), ` ${'abc'.repeat(400)}`, '1234567890'.repeat(50)]) {
      expect(tok.encode(s)).toEqual(tiktoken.encode(s));
    }
  });

  it('uses the same merges on the array and heap paths', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 90 }), (s) => {
        const bytes = utf8Encode(s);
        const a: number[] = [];
        const b: number[] = [];
        tok.model.encodeBytes(bytes, bytes.length, a);
        tok.model.encodeBytesWithHeap(bytes, b);
        expect(b).toEqual(a);
      }),
      { numRuns: 500 },
    );
  });
});

describe('special tokens', () => {
  const pepler = tok.withSpecialTokens(['<bos>', '<eos>', '<pad>']);

  it('adds special tokens by name after the vocabulary, as PEPLER does', () => {
    expect(pepler.specialTokens).toEqual({ '<|endoftext|>': 50256, '<bos>': 50257, '<eos>': 50258, '<pad>': 50259 });
    expect([pepler.bosId, pepler.eosId, pepler.padId]).toEqual([50257, 50258, 50259]);
    expect(pepler.vocabSize).toBe(50260);
    expect(pepler.tokenToId('<pad>')).toBe(50259);
    expect(pepler.idToToken(50258)).toBe('<eos>');
    expect(pepler.withSpecialTokens(['<pad>', '<sep>']).specialTokens['<sep>']).toBe(50260);
    expect(tok.vocabSize).toBe(50257); // the original is unchanged
  });

  it('never adds special tokens implicitly and treats their text as plain text unless allowSpecial', () => {
    const s = 'great<eos>';
    expect(pepler.encode(s)).toEqual(tok.encode(s));
    expect(pepler.encode(s, { allowSpecial: true })).toEqual([...tok.encode('great'), 50258]);
    expect(pepler.encode('good', { addBos: true, addEos: true })).toEqual([50257, ...tok.encode('good'), 50258]);
  });

  it('decodes special tokens by name, or skips them', () => {
    const ids = [50257, ...tok.encode('nice'), 50258, 50259];
    expect(pepler.decode(ids)).toBe('<bos>nice<eos><pad>');
    expect(pepler.decode(ids, { skipSpecialTokens: true })).toBe('nice');
  });

  it('says clearly when a role is missing', () => {
    const plain = gpt2FromText(JSON.stringify(Object.fromEntries(BYTE_TO_UNICODE.map((ch, b) => [ch, b]))), '#version: 0.2\n', 'tiny');
    expect(plain.vocabSize).toBe(256);
    expect(plain.decode(plain.encode('héllo'))).toBe('héllo');
    expect(() => plain.encode('x', { addBos: true })).toThrow(/no BOS token/);
  });
});

describe('bad vocabulary files', () => {
  it('reports what is wrong with encoder.json and vocab.bpe', () => {
    expect(() => gpt2FromText('not json', '', 'd')).toThrow(/d\/encoder.json: not valid JSON/);
    expect(() => gpt2FromText('[1,2]', '', 'd')).toThrow(/expected a JSON object/);
    expect(() => gpt2FromText('{"a": 0, "b": 5}', '', 'd')).toThrow(/ids must be dense/);
    expect(() => gpt2FromText('{"a": 0}', '', 'd')).toThrow(/byte 0x00 has no single-byte token/);
    try {
      gpt2FromText(JSON.stringify(Object.fromEntries(tok.model.tokenToId)), '#version: 0.2\nĠ t\nbad-line\n', 'd');
      expect.unreachable();
    } catch (e) {
      expect(isXrecError(e)).toBe(true);
      expect((e as Error).message).toMatch(/d\/vocab.bpe:3: expected a merge "left right"/);
    }
    expect(() => gpt2FromText(JSON.stringify(Object.fromEntries(tok.model.tokenToId)), '#version: 0.2\nĠ zzzq\n', 'd')).toThrow(/merge 0 .* not in the vocabulary/);
  });
});
