import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, recordingProgress } from '@xrec/core';
import { countPieces, resolveBpeTrainConfig, trainBpe } from './train.js';
import { loadTokenizer, saveTokenizer } from './load.js';
import { toHfTokenizerJsonText } from './hf-json.js';
import type { BpeTokenizer } from './bpe-tokenizer.js';
import { BYTE_TO_UNICODE } from './byte-unicode.js';

const CORPUS = [
  'The guitar strings sound great and stay in tune.',
  "I've bought these strings three times; they're the best strings I've had.",
  'Great cable, great price. The cable is sturdy and the sound is clean.',
  'The pedal is noisy. Not great, not terrible: the tuner works fine.',
  'Strings strings strings! Tuning pegs and strings, great great great.',
];

/** Textbook BPE training, recounting every pair at every step: the reference for the incremental trainer. */
function naiveMerges(corpus: string[], vocabSize: number, minFrequency: number): [string, string][] {
  const words = [...countPieces(corpus)].map(([p, c]) => ({ syms: [...new TextEncoder().encode(p)], c }));
  const spell: string[] = [...Array(256).keys()].map((b) => BYTE_TO_UNICODE[b]!);
  const merges: [string, string][] = [];
  while (spell.length < vocabSize) {
    const counts = new Map<string, number>();
    for (const w of words) for (let k = 0; k + 1 < w.syms.length; k++) counts.set(`${w.syms[k]},${w.syms[k + 1]}`, (counts.get(`${w.syms[k]},${w.syms[k + 1]}`) ?? 0) + w.c);
    let best: [number, number] | undefined;
    let bestC = 0;
    for (const [k, c] of counts) {
      const [a, b] = k.split(',').map(Number) as [number, number];
      if (c > bestC || (c === bestC && best && (a < best[0] || (a === best[0] && b < best[1])))) [best, bestC] = [[a, b], c];
    }
    if (!best || bestC < minFrequency) break;
    const [a, b] = best;
    const text = spell[a]! + spell[b]!;
    let n = spell.indexOf(text);
    if (n < 0) n = spell.push(text) - 1;
    merges.push([spell[a]!, spell[b]!]);
    for (const w of words) {
      const out: number[] = [];
      for (let k = 0; k < w.syms.length; k++) {
        if (k + 1 < w.syms.length && w.syms[k] === a && w.syms[k + 1] === b) {
          out.push(n);
          k++;
        } else out.push(w.syms[k]!);
      }
      w.syms = out;
    }
  }
  return merges;
}

describe('trainBpe', () => {
  it('learns the same merges as textbook BPE that recounts every pair (fast-check)', () => {
    const doc = fc.array(fc.constantFrom('a', 'b', 'ab', 'ba', ' ', 'aa', 'c', 'é', '!', "'s", '  '), { maxLength: 25 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(doc, { maxLength: 6 }), fc.integer({ min: 256, max: 300 }), fc.integer({ min: 1, max: 3 }), (corpus, vocabSize, minFrequency) => {
        const tok = trainBpe(corpus, { vocabSize, minFrequency, specialTokens: [] });
        expect(tok.model.merges).toEqual(naiveMerges(corpus, vocabSize, minFrequency));
      }),
      { numRuns: 300 },
    );
  });

  it('learns the textbook example (Wikipedia "aaabdaaabac": aa, then ab, then aaab)', () => {
    const tok = trainBpe(['aaabdaaabac'], { vocabSize: 300, specialTokens: [] });
    expect(tok.model.merges).toEqual([
      ['a', 'a'],
      ['a', 'b'],
      ['aa', 'ab'],
    ]);
    expect(tok.vocabSize).toBe(259); // stopped early: every remaining pair occurs once (< minFrequency 2)
    expect(tok.encode('aaabdaaabac').map((id) => tok.idToToken(id))).toEqual(['aaab', 'd', 'aaab', 'a', 'c']);
  });

  it('counts pairs across words weighted by frequency and breaks ties by the smaller id pair', () => {
    // pieces: "ab" x1, " ab" x2, " ba" x3 -> pairs (a,b) 3, (" ",b) 3, (b,a) 3, (" ",a) 2.
    // Tie at 3: the smallest id pair (32, 98) = ("Ġ", "b") wins; then (a,b) = (97, 98) beats ("Ġb", a) = (256, 97).
    const tok = trainBpe(['ab ab ab ba ba ba'], { vocabSize: 258, specialTokens: [], minFrequency: 1 });
    expect(tok.model.merges).toEqual([
      ['Ġ', 'b'],
      ['a', 'b'],
    ]);
    const counts = countPieces(['ab ab ab ba ba ba']);
    expect([...counts]).toEqual([
      ['ab', 1],
      [' ab', 2],
      [' ba', 3],
    ]);
  });

  it('appends special tokens after the learnt vocabulary', () => {
    const tok = trainBpe(CORPUS, { vocabSize: 280 });
    expect(tok.model.size).toBe(280);
    expect(tok.specialTokens).toEqual({ '<bos>': 280, '<eos>': 281, '<pad>': 282 });
    expect([tok.bosId, tok.eosId, tok.padId, tok.vocabSize]).toEqual([280, 281, 282, 283]);
    expect(tok.encode('great strings', { addBos: true, addEos: true })).toEqual([280, ...tok.encode('great strings'), 281]);
  });

  it('is deterministic: same corpus and config give the same file, byte for byte', () => {
    const a = toHfTokenizerJsonText(trainBpe(CORPUS, { vocabSize: 285 }));
    const b = toHfTokenizerJsonText(trainBpe([...CORPUS], { vocabSize: 285 }));
    expect(a).toBe(b);
    expect(toHfTokenizerJsonText(trainBpe(CORPUS, { vocabSize: 286 }))).not.toBe(a);
  });

  it('saves and loads a tokenizer.json that gives the same ids and the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xrec-tok-'));
    try {
      const tok = trainBpe(CORPUS, { vocabSize: 290 });
      const path = join(dir, 'tokenizer.json');
      await saveTokenizer(tok, path);
      const loaded = (await loadTokenizer(path)) as BpeTokenizer;
      expect(loaded.kind).toBe('bpe');
      expect(loaded.specialTokens).toEqual(tok.specialTokens);
      for (const s of [...CORPUS, 'unseen wörds 😀 and <eos> text']) expect(loaded.encode(s)).toEqual(tok.encode(s));
      const again = join(dir, 'again.json');
      await saveTokenizer(loaded, again);
      expect(readFileSync(again, 'utf8')).toBe(readFileSync(path, 'utf8'));
      const json = JSON.parse(readFileSync(path, 'utf8'));
      expect(json.version).toBe('1.0');
      expect(json.xrec).toMatchObject({ format: 'xrec-tokenizer', version: 1 });
      expect(json.model.type).toBe('BPE');
      expect(json.added_tokens.map((t: { content: string; id: number; special: boolean }) => [t.content, t.id, t.special])).toEqual([
        ['<bos>', 290, true],
        ['<eos>', 291, true],
        ['<pad>', 292, true],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('round-trips arbitrary Unicode with a trained vocabulary (fast-check)', () => {
    const tok = trainBpe(CORPUS, { vocabSize: 300 });
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        expect(tok.decode(tok.encode(s))).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('reports progress', () => {
    const p = recordingProgress();
    trainBpe(CORPUS, { vocabSize: 400 }, p);
    expect(p.events.some((e) => e.kind === 'finish' && e.label === 'bpe: merges')).toBe(true);
  });

  it('validates its config, naming the field', () => {
    expect(() => resolveBpeTrainConfig({ vocabSize: 100 })).toThrow(ConfigError);
    expect(() => resolveBpeTrainConfig({ vocabSize: 100 })).toThrow(/vocabSize/);
    expect(() => resolveBpeTrainConfig({ minFrequency: 0 })).toThrow(/minFrequency/);
    expect(() => resolveBpeTrainConfig({ specialTokens: ['<a>', '<a>'] })).toThrow(/appears twice/);
    expect(() => resolveBpeTrainConfig({ specialTokens: [''] })).toThrow(/non-empty/);
    expect(() => trainBpe([42 as unknown as string])).toThrow(/corpus items must be strings/);
  });

  it('trains on an empty corpus to the 256 byte tokens', () => {
    const tok = trainBpe([], { vocabSize: 1000, specialTokens: ['<eos>'] });
    expect(tok.vocabSize).toBe(257);
    expect(tok.decode(tok.encode('ok'))).toBe('ok');
  });
});
