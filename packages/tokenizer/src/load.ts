/**
 * Load and save any supported tokenizer by path, detecting the format:
 *   - a directory with `encoder.json` + `vocab.bpe` (GPT-2), or with a `tokenizer.json`;
 *   - a `tokenizer.json` file (Hugging Face byte-level BPE, e.g. one written by {@link saveTokenizer});
 *   - a llama2.c tokenizer `.bin` (e.g. `tok512.bin`).
 * Anything else is a VocabError saying what was found and what was expected.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { VocabError, writeFileAtomic } from '@xrec/core';
import { BpeTokenizer } from './bpe-tokenizer.js';
import { GPT2_ENCODER_FILE, GPT2_MERGES_FILE, isGpt2Dir, loadGpt2Dir } from './gpt2-files.js';
import { fromHfTokenizerJson, toHfTokenizerJsonText } from './hf-json.js';
import { Llama2cTokenizer, parseLlama2cVocab, serializeLlama2cVocab } from './llama2c.js';
import type { Tokenizer } from './tokenizer.js';

export const HF_TOKENIZER_FILE = 'tokenizer.json';

/** Synchronous {@link loadTokenizer}. */
export function loadTokenizerSync(path: string): Tokenizer {
  if (typeof path !== 'string' || path === '') throw new VocabError(`loadTokenizer: expected a path, got ${JSON.stringify(path)}`);
  if (!existsSync(path)) throw new VocabError(`loadTokenizer: ${path} does not exist (expected a tokenizer.json file, a GPT-2 directory with ${GPT2_ENCODER_FILE} + ${GPT2_MERGES_FILE}, or a llama2.c tokenizer .bin)`);
  if (statSync(path).isDirectory()) {
    if (isGpt2Dir(path)) return loadGpt2Dir(path);
    const hf = join(path, HF_TOKENIZER_FILE);
    if (existsSync(hf)) return loadTokenizerSync(hf);
    throw new VocabError(`loadTokenizer: directory ${path} holds no vocabulary: expected ${GPT2_ENCODER_FILE} + ${GPT2_MERGES_FILE} (GPT-2) or ${HF_TOKENIZER_FILE}`);
  }
  const data = readFileSync(path);
  return tokenizerFromBytes(data, path);
}

/** Load a tokenizer from a tokenizer.json file, a GPT-2 directory or a llama2.c .bin (auto-detected). */
export async function loadTokenizer(path: string): Promise<Tokenizer> {
  return loadTokenizerSync(path);
}

/** Detect the format of file contents: JSON object -> tokenizer.json, otherwise llama2.c binary. */
export function tokenizerFromBytes(data: Uint8Array, where: string): Tokenizer {
  let k = 0;
  while (k < data.length && (data[k] === 0x20 || data[k] === 0x0a || data[k] === 0x0d || data[k] === 0x09)) k++;
  if (data[k] === 0x7b /* { */) {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(data));
    } catch (e) {
      throw new VocabError(`${where}: starts like JSON but does not parse (${(e as Error).message}); expected a tokenizer.json`, { cause: e });
    }
    const obj = json as Record<string, unknown>;
    if (obj !== null && typeof obj === 'object') {
      const vals = Object.values(obj);
      if (vals.length > 0 && vals.every((v) => typeof v === 'number')) {
        throw new VocabError(`${where}: looks like GPT-2's ${GPT2_ENCODER_FILE}; pass the directory that holds it together with ${GPT2_MERGES_FILE}`);
      }
      if (!('model' in obj)) throw new VocabError(`${where}: JSON without a "model" field is not a tokenizer.json (keys: ${Object.keys(obj).slice(0, 8).join(', ')})`);
    }
    return fromHfTokenizerJson(json, where);
  }
  try {
    return new Llama2cTokenizer(parseLlama2cVocab(data, where), [], undefined, where);
  } catch (e) {
    if (!(e instanceof VocabError)) throw e;
    throw new VocabError(`${where}: not a vocabulary: neither a tokenizer.json (JSON object) nor a llama2.c tokenizer .bin (${e.message})`, { cause: e });
  }
}

/**
 * Save a tokenizer atomically: byte-level BPE as Hugging Face tokenizer.json (with the xrec format version),
 * llama2.c vocabularies in their own binary format (without tokens added by withSpecialTokens).
 */
export async function saveTokenizer(tok: Tokenizer, path: string): Promise<void> {
  if (tok instanceof BpeTokenizer) {
    await writeFileAtomic(path, toHfTokenizerJsonText(tok));
  } else if (tok instanceof Llama2cTokenizer) {
    if (tok.addedSpecials.length > 0) throw new VocabError(`saveTokenizer: the llama2.c format cannot hold added special tokens ${JSON.stringify(tok.addedSpecials)}`);
    await writeFileAtomic(path, serializeLlama2cVocab(tok.vocab));
  } else {
    throw new VocabError(`saveTokenizer: unsupported tokenizer kind ${JSON.stringify((tok as Tokenizer).kind)}`);
  }
}
