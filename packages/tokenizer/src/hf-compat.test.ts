// Files written here must open in Hugging Face's own tokenizer implementations. Tokenizers.js
// (@huggingface/tokenizers, the tokenizer.json reader of Transformers.js) is the one installable here;
// it must give the same ids for a trained tokenizer and for GPT-2 converted to tokenizer.json.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { GPT2_DIR, reviewTexts } from '../test/helpers.js';
import { loadGpt2Dir } from './gpt2-files.js';
import { fromHfTokenizerJson, toHfTokenizerJsonText } from './hf-json.js';
import { trainBpe } from './train.js';
import type { BpeTokenizer } from './bpe-tokenizer.js';
import { loadTokenizerSync } from './load.js';

/** The base model shipped in the repository (models/xrec-base). */
const XREC_BASE = join(import.meta.dirname, '..', '..', '..', 'models', 'xrec-base');

const SAMPLE = [
  'These strings sound great and stay in tune for weeks.',
  "I've had better cables; this one's OK for $9.99.",
  'Great pedal!!! 5 stars ★★★★★ — would buy again 😀',
  '  leading and trailing spaces  ',
  'line one\nline two\r\n\ttabbed',
];
const corpus = reviewTexts();
const texts = corpus.texts ? corpus.texts.slice(0, 2000) : SAMPLE;

function hfOf(tok: BpeTokenizer): HfTokenizer {
  return new HfTokenizer(JSON.parse(toHfTokenizerJsonText(tok)), {});
}

function expectSameIds(tok: BpeTokenizer, hf: HfTokenizer, inputs: readonly string[]): void {
  const bad = inputs.filter((t) => hf.encode(t, { add_special_tokens: false }).ids.join() !== tok.encode(t).join());
  expect(bad.slice(0, 3)).toEqual([]);
}

describe('Hugging Face compatibility of tokenizer.json', () => {
  it('a trained tokenizer gives the same ids in Tokenizers.js', () => {
    const tok = trainBpe(texts, { vocabSize: 1500 });
    const hf = hfOf(tok);
    expectSameIds(tok, hf, [...texts, ...SAMPLE]);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), (s) => {
        expect(hf.encode(s, { add_special_tokens: false }).ids).toEqual(tok.encode(s));
      }),
      { numRuns: 300 },
    );
    // Tokenizers.js splits on added special tokens, i.e. xrec's allowSpecial: true.
    expect(hf.encode('great<eos>', { add_special_tokens: false }).ids).toEqual(tok.encode('great<eos>', { allowSpecial: true }));
    expect(hf.decode(tok.encode('great strings'))).toBe('great strings');
  });

  it("a mask token takes the space on its left (lstrip, RoBERTa's <mask>) and an rstrip token the space on its right, as in Tokenizers.js", () => {
    const base = trainBpe(texts.slice(0, 300), { vocabSize: 600, specialTokens: ['<eos>', '<mask>'] });
    expect(base.addedTokens.find((t) => t.content === '<mask>')).toMatchObject({ lstrip: true });
    expect(base.addedTokens.find((t) => t.content === '<eos>')?.lstrip).toBeUndefined();
    const added = base.withSpecialTokens(['<x>']);
    const json = JSON.parse(toHfTokenizerJsonText(added)) as { added_tokens: { content: string; lstrip: boolean; rstrip: boolean }[] };
    expect(json.added_tokens.find((t) => t.content === '<mask>')).toMatchObject({ lstrip: true, rstrip: false });
    json.added_tokens.find((t) => t.content === '<x>')!.rstrip = true;
    const hf = new HfTokenizer(json, {});
    const tok = fromHfTokenizerJson(json, 'x.json');
    const mask = tok.maskId!;
    expect(tok.encode('The food was <mask>.', { allowSpecial: true })).toEqual([...tok.encode('The food was'), mask, ...tok.encode('.')]);
    for (const t of ['The food was <mask>.', 'feels  \t<mask> about it', '<mask> first', 'a <x>  b <mask><x> c', ' <x> <mask>', 'no specials here']) {
      expect(tok.encode(t, { allowSpecial: true }), t).toEqual(hf.encode(t, { add_special_tokens: false }).ids);
    }
  });

  it('GPT-2 written as tokenizer.json gives the same ids in Tokenizers.js', () => {
    const gpt2 = loadGpt2Dir(GPT2_DIR);
    expectSameIds(gpt2, hfOf(gpt2), [...texts.slice(0, 500), ...SAMPLE]);
  });
});

describe.skipIf(!existsSync(join(XREC_BASE, 'tokenizer.json')))('the shipped xrec-base tokenizer', () => {
  it('loads in Tokenizers.js from its folder (tokenizer.json + tokenizer_config.json) with the same ids and roles', () => {
    const json = JSON.parse(readFileSync(join(XREC_BASE, 'tokenizer.json'), 'utf8'));
    const config = JSON.parse(readFileSync(join(XREC_BASE, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    const map = JSON.parse(readFileSync(join(XREC_BASE, 'special_tokens_map.json'), 'utf8')) as Record<string, string>;
    const model = JSON.parse(readFileSync(join(XREC_BASE, 'config.json'), 'utf8')) as Record<string, number>;
    const hf = new HfTokenizer(json, config);
    const tok = loadTokenizerSync(join(XREC_BASE, 'tokenizer.json')) as BpeTokenizer;
    const bad = [...texts.slice(0, 1000), ...SAMPLE].filter((t) => hf.encode(t, { add_special_tokens: false }).ids.join() !== tok.encode(t).join());
    expect(bad.slice(0, 3)).toEqual([]);
    expect(hf.decode(tok.encode('The battery lasts all day.'))).toBe('The battery lasts all day.');
    expect(tok.specialTokens[map.bos_token!]).toBe(model.bos_token_id);
    expect(tok.specialTokens[map.eos_token!]).toBe(model.eos_token_id);
    expect(tok.specialTokens[map.pad_token!]).toBe(model.pad_token_id);
    expect(model.vocab_size).toBe(tok.vocabSize);
    // no absolute paths anywhere in the folder's JSON files
    for (const f of ['config.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json']) {
      expect(readFileSync(join(XREC_BASE, f), 'utf8'), f).not.toMatch(/"\/(?:work|home|root|tmp|Users)\//);
    }
  });
});
