/**
 * GPT-2's own vocabulary files (Radford et al. 2019; openai/gpt-2 `encoder.py`): a directory holding
 * `encoder.json` (byte-level token spelling -> id) and `vocab.bpe` (a `#version` line, then one merge
 * "left right" per line, in rank order).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError, VocabError } from '@xrec/core';
import { BpeModel } from './bpe-model.js';
import { BpeTokenizer } from './bpe-tokenizer.js';

export const GPT2_ENCODER_FILE = 'encoder.json';
export const GPT2_MERGES_FILE = 'vocab.bpe';
export const GPT2_END_OF_TEXT = '<|endoftext|>';

/** Parse `encoder.json` text into a dense id -> spelling array. */
export function parseEncoderJson(text: string, where: string): string[] {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new VocabError(`${where}: not valid JSON (${(e as Error).message}); expected an object mapping token spellings to ids`, { cause: e });
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new VocabError(`${where}: expected a JSON object mapping token spellings to ids, got ${Array.isArray(obj) ? 'an array' : typeof obj}`);
  return denseVocab(obj as Record<string, unknown>, where);
}

/** Turn a { spelling: id } object into an id -> spelling array; ids must be exactly 0..n-1. */
export function denseVocab(vocab: Record<string, unknown>, where: string): string[] {
  const entries = Object.entries(vocab);
  const tokens = new Array<string>(entries.length);
  for (const [tok, id] of entries) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= entries.length) {
      throw new VocabError(`${where}: token ${JSON.stringify(tok)} has id ${JSON.stringify(id)}; expected an integer in [0, ${entries.length}) (ids must be dense)`);
    }
    if (tokens[id] !== undefined) throw new VocabError(`${where}: id ${id} is used by both ${JSON.stringify(tokens[id])} and ${JSON.stringify(tok)}`);
    tokens[id] = tok;
  }
  return tokens;
}

/** Parse `vocab.bpe` text: optional `#version` header, then "left right" per line; blank lines are ignored. */
export function parseMergesText(text: string, where: string): [string, string][] {
  const merges: [string, string][] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || (i === 0 && line.startsWith('#version'))) return;
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new VocabError(`${where}:${i + 1}: expected a merge "left right" (two tokens separated by one space), got ${JSON.stringify(line.slice(0, 80))}`);
    }
    merges.push([parts[0]!, parts[1]!]);
  });
  return merges;
}

/** True when `dir` is a directory holding both GPT-2 vocabulary files. */
export function isGpt2Dir(dir: string): boolean {
  return existsSync(join(dir, GPT2_ENCODER_FILE)) && existsSync(join(dir, GPT2_MERGES_FILE));
}

/**
 * Load a GPT-2 vocabulary directory. `<|endoftext|>` (id 50256 in GPT-2) becomes a special token and, as in
 * Hugging Face's GPT2Tokenizer, both bosId and eosId.
 */
export function loadGpt2Dir(dir: string): BpeTokenizer {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new NotFoundError(`loadGpt2Dir: ${dir} is not a directory`);
  const encPath = join(dir, GPT2_ENCODER_FILE);
  const bpePath = join(dir, GPT2_MERGES_FILE);
  for (const p of [encPath, bpePath]) {
    if (!existsSync(p)) throw new VocabError(`loadGpt2Dir: ${dir} is not a GPT-2 vocabulary directory: missing ${p} (expected ${GPT2_ENCODER_FILE} and ${GPT2_MERGES_FILE})`);
  }
  return gpt2FromText(readFileSync(encPath, 'utf8'), readFileSync(bpePath, 'utf8'), dir);
}

/** Build a GPT-2 style tokenizer from the text of `encoder.json` and `vocab.bpe`. */
export function gpt2FromText(encoderJson: string, vocabBpe: string, where = 'gpt2'): BpeTokenizer {
  const tokens = parseEncoderJson(encoderJson, `${where}/${GPT2_ENCODER_FILE}`);
  const merges = parseMergesText(vocabBpe, `${where}/${GPT2_MERGES_FILE}`);
  const model = new BpeModel({ tokens, merges }, where);
  const eot = model.tokenToId.get(GPT2_END_OF_TEXT);
  return new BpeTokenizer({ model, addedTokens: eot === undefined ? [] : [{ content: GPT2_END_OF_TEXT, id: eot, special: true }] }, where);
}
