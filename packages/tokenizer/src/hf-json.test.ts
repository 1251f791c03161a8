import { describe, expect, it } from 'vitest';
import { VocabError } from '@xrec/core';
import { GPT2_DIR } from '../test/helpers.js';
import { loadGpt2Dir } from './gpt2-files.js';
import { fromHfTokenizerJson, fromHfTokenizerJsonText, toHfTokenizerJson } from './hf-json.js';
import { BYTE_TO_UNICODE } from './byte-unicode.js';

const gpt2 = loadGpt2Dir(GPT2_DIR);
const TEXTS = ["Hello world, it's 2024!", '  spaced   out\n', 'naïve café 😀', ''];

/** A minimal hand-written tokenizer.json in the shape Hugging Face `tokenizers` writes for GPT-2-like models. */
function tinyHf(extra: Record<string, unknown> = {}, model: Record<string, unknown> = {}): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  BYTE_TO_UNICODE.forEach((ch, b) => (vocab[ch] = b));
  vocab['Ġt'] = 256;
  vocab['he'] = 257;
  vocab['Ġthe'] = 258;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: 259, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges: ['Ġ t', 'h e', 'Ġt he'], ...model },
    ...extra,
  };
}

describe('Hugging Face tokenizer.json', () => {
  it('writes GPT-2 as tokenizer.json and reads it back with identical ids', () => {
    const json = toHfTokenizerJson(gpt2);
    expect(Object.keys(json)).toEqual(['version', 'truncation', 'padding', 'added_tokens', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder', 'model', 'xrec']);
    const back = fromHfTokenizerJson(JSON.parse(JSON.stringify(json)), 'gpt2.json');
    expect(back.vocabSize).toBe(50257);
    expect(back.specialTokens).toEqual({ '<|endoftext|>': 50256 });
    for (const t of TEXTS) expect(back.encode(t)).toEqual(gpt2.encode(t));
  });

  it('reads a hand-written HF file with "a b" merges or [a, b] merges', () => {
    for (const merges of [['Ġ t', 'h e', 'Ġt he'], [['Ġ', 't'], ['h', 'e'], ['Ġt', 'he']]]) {
      const tok = fromHfTokenizerJson(tinyHf({}, { merges }), 'tiny.json');
      expect(tok.encode(' the')).toEqual([258]);
      expect(tok.encode('the')).toEqual([0x74, 257]);
      expect(tok.encode('x<|endoftext|>', { allowSpecial: true })).toEqual([0x78, 259]);
      expect(tok.decode([258, 259])).toBe(' the<|endoftext|>');
    }
  });

  it('honours add_prefix_space, NFC/NFKC normalizers, ignore_merges and Split regex pre-tokenizers', () => {
    const prefix = fromHfTokenizerJson(tinyHf({ pre_tokenizer: { type: 'ByteLevel', add_prefix_space: true, use_regex: true } }), 'p.json');
    expect(prefix.encode('the')).toEqual([258]);
    const nfkc = fromHfTokenizerJson(tinyHf({ normalizer: { type: 'NFKC' } }), 'n.json');
    expect(nfkc.encode('\ufb01')).toEqual([0x66, 0x69]); // the "fi" ligature becomes "fi"
    const ignore = fromHfTokenizerJson(tinyHf({}, { ignore_merges: true, merges: [] , vocab: { ...(tinyHf().model as { vocab: Record<string, number> }).vocab } }), 'i.json');
    expect(ignore.encode(' the')).toEqual([258]); // whole pre-token found in the vocabulary
    const split = fromHfTokenizerJson(
      tinyHf({ pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: '\\s+|\\S+' }, behavior: 'Isolated', invert: false }, { type: 'ByteLevel', add_prefix_space: false, use_regex: false }] } }),
      's.json',
    );
    expect(split.encode(' the')).toEqual([0x20, 0x74, 257]);
    expect(split.preTokenizer).toEqual({ type: 'regex', pattern: '\\s+|\\S+' });
    const back = fromHfTokenizerJson(JSON.parse(JSON.stringify(toHfTokenizerJson(split))), 'back.json');
    expect(back.encode(' the the')).toEqual(split.encode(' the the'));
  });

  it('rejects what it cannot read with a VocabError naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [[], /expected a tokenizer.json object/],
      [tinyHf({ version: '2.0' }), /version "2.0" is not supported/],
      [tinyHf({ xrec: { format: 'xrec-tokenizer', version: 99 } }), /newer xrec/],
      [tinyHf({ xrec: { format: 'other', version: 1 } }), /field "xrec"/],
      [tinyHf({}, { type: 'WordPiece' }), /model.type "WordPiece" is not supported/],
      [tinyHf({}, { byte_fallback: true }), /byte_fallback/],
      [tinyHf({}, { dropout: 0.1 }), /model.dropout/],
      [tinyHf({}, { continuing_subword_prefix: '##' }), /continuing_subword_prefix/],
      [tinyHf({}, { merges: ['Ġ t', 'x'] }), /model.merges\[1\]/],
      [tinyHf({}, { merges: ['Ġ q9'] }), /merge 0 .*not in the vocabulary/],
      [tinyHf({}, { vocab: { a: 0 } }), /byte 0x00 has no single-byte token/],
      [tinyHf({ pre_tokenizer: { type: 'Whitespace' } }), /pre_tokenizer "Whitespace" is not supported/],
      [tinyHf({ normalizer: { type: 'Lowercase' } }), /normalizer "Lowercase" is not supported/],
      [tinyHf({ added_tokens: [{ id: 300, content: '<x>' }] }), /ids must be dense/],
      [tinyHf({ added_tokens: [{ id: 5, content: '<x>', special: true }] }), /which the BPE vocabulary uses/],
      [tinyHf({ model: 3 }), /field "model" must be an object/],
    ];
    for (const [json, re] of cases) {
      expect(() => fromHfTokenizerJson(json, 'bad.json')).toThrow(VocabError);
      expect(() => fromHfTokenizerJson(json, 'bad.json')).toThrow(re);
    }
    expect(() => fromHfTokenizerJsonText('{oops', 'x.json')).toThrow(/x.json: not valid JSON/);
  });
});
