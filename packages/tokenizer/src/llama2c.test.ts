import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { VocabError } from '@xrec/core';
import { TOK512 } from '../test/helpers.js';
import { Llama2cTokenizer, parseLlama2cVocab, serializeLlama2cVocab, type Llama2cVocab } from './llama2c.js';

const FILE = new Uint8Array(readFileSync(TOK512));
const vocab = parseLlama2cVocab(FILE, 'tok512.bin');
const tok = new Llama2cTokenizer(vocab);

const latin1 = (b: ArrayLike<number>): string => Buffer.from(Array.from(b)).toString('latin1');

/**
 * llama2.c run.c `encode()`, transcribed literally from its definition (O(n^2) rescans, string lookups):
 * the reference the fast encoder must reproduce.
 */
function runcEncode(v: Llama2cVocab, text: string, bos: boolean, eos: boolean): number[] {
  const sorted = new Map<string, number>();
  v.pieces.forEach((p, i) => {
    if (!sorted.has(latin1(p))) sorted.set(latin1(p), i);
  });
  const lookup = (s: string): number => sorted.get(s) ?? -1;
  const tokens: number[] = [];
  if (bos) tokens.push(1);
  if (text !== '') tokens.push(lookup(' '));
  const bytes = Buffer.from(text, 'utf8');
  let buf: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i]! & 0xc0) !== 0x80) buf = [];
    buf.push(bytes[i]!);
    if (i + 1 < bytes.length && (bytes[i + 1]! & 0xc0) === 0x80 && buf.length < 4) continue;
    const id = lookup(latin1(buf));
    if (id !== -1) tokens.push(id);
    else for (const b of buf) tokens.push(b + 3);
    buf = [];
  }
  for (;;) {
    let bestScore = -1e10;
    let bestId = -1;
    let bestIdx = -1;
    for (let i = 0; i < tokens.length - 1; i++) {
      const id = lookup(latin1(v.pieces[tokens[i]!]!) + latin1(v.pieces[tokens[i + 1]!]!));
      if (id !== -1 && v.scores[id]! > bestScore) {
        bestScore = v.scores[id]!;
        bestId = id;
        bestIdx = i;
      }
    }
    if (bestIdx === -1) break;
    tokens.splice(bestIdx, 2, bestId);
  }
  if (eos) tokens.push(2);
  return tokens;
}

const SENTENCES = [
  'Once upon a time, there was a little girl named Lily.',
  'She loved to play outside in the park. One day, she saw a big, red ball.',
  'Tim said, "I want to be happy!" and his mom smiled.',
  'Ünïcödé café 😀 — 中文 ½ \t tabs\nnewlines',
  '',
  ' ',
  'a',
];

describe('llama2.c tok512.bin', () => {
  it('parses the file: 512 tokens, <unk>/BOS/EOS, byte fallback', () => {
    expect(vocab.maxTokenLength).toBe(7);
    expect(tok.vocabSize).toBe(512);
    expect([tok.bosId, tok.eosId]).toEqual([1, 2]);
    expect(tok.specialTokens).toEqual({ '<unk>': 0, '<s>': 1, '</s>': 2 });
    expect(tok.hasByteFallback).toBe(true);
    expect(tok.idToToken(3)).toBe('<0x00>');
    expect(tok.idToToken(259)).toBe(' t');
    expect(tok.tokenToId(' the')).toBe(265);
    expect(tok.tokenToId('<s>')).toBe(1);
    expect(tok.idToToken(512)).toBeUndefined();
  });

  it('serialises back to the identical bytes', () => {
    expect(Buffer.from(serializeLlama2cVocab(vocab)).equals(Buffer.from(FILE))).toBe(true);
  });

  it.each(SENTENCES)('encodes %j exactly like run.c', (s) => {
    expect(tok.encode(s, { addBos: true })).toEqual(runcEncode(vocab, s, true, false));
    expect(tok.encode(s, { addEos: true })).toEqual(runcEncode(vocab, s, false, true));
    expect(tok.encode(s)).toEqual(runcEncode(vocab, s, false, false));
  });

  it('known answer: "Once upon a time" with BOS', () => {
    const ids = tok.encode('Once upon a time', { addBos: true });
    expect(ids.map((id) => tok.idToToken(id))).toEqual(['<s>', ' Once', ' upon', ' a', ' time']);
  });

  it('matches run.c on random text, and decode([BOS, ...ids]) gives the text back (fast-check)', () => {
    const words = fc.constantFrom('Once', ' upon', ' the', 'Lily', ' happy', 'ittle', ' ', '  ', '.', ',', '"', '\n', 'é', '😀', 'x', 'q', 'zz', '<', '0x41>', '<s>');
    fc.assert(
      fc.property(fc.array(words, { maxLength: 20 }).map((a) => a.join('')), (s) => {
        const ids = tok.encode(s);
        expect(ids).toEqual(runcEncode(vocab, s, false, false));
        expect(tok.decode([1, ...ids])).toBe(s);
      }),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (s) => {
        const ids = tok.encode(s, { addBos: true, addEos: true });
        expect(ids).toEqual(runcEncode(vocab, s, true, true));
        expect(tok.decode(ids)).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes like run.c: one leading space dropped after BOS only, <0xNN> pieces are bytes', () => {
    const once = tok.tokenToId(' Once')!;
    expect(tok.decode([1, once])).toBe('Once');
    expect(tok.decode([once])).toBe(' Once');
    expect(tok.decode([1, 3 + 0xf0, 3 + 0x9f, 3 + 0x98, 3 + 0x80])).toBe('😀');
    expect(tok.decode([3 + 0xf0])).toBe('\ufffd'); // a cut character becomes U+FFFD
    expect([...tok.decodeBytes([3 + 0xf0])]).toEqual([0xf0]);
    expect(tok.decode([1, once, 2])).toBe('Once');
    expect(tok.decode([0, once])).toBe('<unk> Once');
    expect(tok.decode([0, once], { skipSpecialTokens: true })).toBe(' Once');
    expect(() => tok.decode([512])).toThrow(/id 512 at position 0/);
  });

  it('adds special tokens after the file vocabulary', () => {
    const t2 = tok.withSpecialTokens(['<pad>']);
    expect(t2.vocabSize).toBe(513);
    expect(t2.padId).toBe(512);
    expect(t2.specialTokens['<pad>']).toBe(512);
    expect(t2.decode([1, t2.tokenToId(' Once')!, 512])).toBe('Once<pad>');
    expect(t2.decode([512], { skipSpecialTokens: true })).toBe('');
    expect(t2.encode('Once')).toEqual(tok.encode('Once'));
  });

  it('rejects files that are not llama2.c tokenizers with a VocabError that says where', () => {
    expect(() => parseLlama2cVocab(new Uint8Array(2), 'x.bin')).toThrow(/too short/);
    expect(() => parseLlama2cVocab(FILE.slice(0, FILE.length - 3), 'x.bin')).toThrow(/record 511 at byte \d+ has length/);
    expect(() => parseLlama2cVocab(FILE.slice(0, 4 + 8 + 5 + 4), 'x.bin')).toThrow(/needs 8 header bytes/);
    expect(() => parseLlama2cVocab(new TextEncoder().encode('hello world, not a vocabulary'), 'x.bin')).toThrow(VocabError);
    expect(() => parseLlama2cVocab(FILE, 'x.bin', 32000)).toThrow(/has 512 tokens, the model expects vocab_size 32000/);
  });

  it('without byte-fallback pieces, an unknown character is a VocabError', () => {
    const small: Llama2cVocab = { maxTokenLength: 2, pieces: ['<unk>', '<s>', '</s>', ' ', 'a', ' a'].map((s) => new TextEncoder().encode(s)), scores: Float32Array.from([0, 0, 0, 0, 0, 1]) };
    const t = new Llama2cTokenizer(small);
    expect(t.encode('a')).toEqual([5]);
    expect(() => t.encode('b')).toThrow(/U\+62 is not in the vocabulary/);
  });
});
