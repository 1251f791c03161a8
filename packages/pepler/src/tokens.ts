/**
 * The tokenizer surface PEPLER needs (structural, so any `@xrec/tokenizer` Tokenizer fits), the special ids
 * it uses, and the reference's explanation truncation: `decode(encode(text)[:words])` (utils.py DataLoader).
 */
import { VocabError } from '@xrec/core';

export interface PeplerTokenizer {
  readonly vocabSize: number;
  encode(text: string): ArrayLike<number>;
  decode(ids: readonly number[]): string;
  tokenToId?(token: string): number | undefined;
  readonly bosId?: number;
  readonly eosId?: number;
  readonly padId?: number;
}

/** The special ids PEPLER uses: `<bos>` starts an explanation, `<eos>` ends it, `<pad>` fills. */
export interface SpecialIds {
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
}

function lookup(tok: PeplerTokenizer, names: readonly string[]): number | undefined {
  if (!tok.tokenToId) return undefined;
  for (const n of names) {
    const id = tok.tokenToId(n);
    if (typeof id === 'number' && id >= 0) return id;
  }
  return undefined;
}

/**
 * Find `<bos>`, `<eos>`, `<pad>` (PEPLER adds them to GPT-2's vocabulary). Llama vocabularies (`<s>`, `</s>`)
 * have no pad: `<eos>` pads there (padded positions are masked and never scored).
 */
export function specialIds(tok: PeplerTokenizer): SpecialIds {
  const bos = tok.bosId ?? lookup(tok, ['<bos>', '<s>', '<|endoftext|>']);
  const eos = tok.eosId ?? lookup(tok, ['<eos>', '</s>', '<|endoftext|>']);
  if (bos === undefined || eos === undefined) {
    throw new VocabError(`pepler: the tokenizer has no ${bos === undefined ? '<bos>' : '<eos>'} token (expected bosId/eosId or a '<bos>'/'<eos>' entry)`);
  }
  const pad = tok.padId ?? lookup(tok, ['<pad>']) ?? eos;
  return { bos, eos, pad };
}

/** Encode plain text to ids (without special tokens added by the tokenizer). */
export function encodeText(tok: PeplerTokenizer, text: string, special: SpecialIds): number[] {
  const ids = Array.from(tok.encode(text));
  // Some vocabularies (llama2.c) may prepend <bos> themselves: drop it, PEPLER places <bos> explicitly.
  while (ids.length > 0 && ids[0] === special.bos) ids.shift();
  return ids;
}

/** Reference truncation: keep the first `words` tokens of the explanation, as ids. */
export function truncateIds(tok: PeplerTokenizer, text: string, words: number, special: SpecialIds): number[] {
  return encodeText(tok, text, special).slice(0, words);
}

/** Reference truncation as text: `decode(encode(text)[:words])`, trimmed. */
export function truncateText(tok: PeplerTokenizer, text: string, words: number): string {
  const special = specialIds(tok);
  return tok.decode(truncateIds(tok, text, words, special)).trim();
}

/** Decode generated ids up to (not including) the first `<eos>`. */
export function decodeUntilEos(tok: PeplerTokenizer, ids: readonly number[], special: SpecialIds): string {
  const cut: number[] = [];
  for (const id of ids) {
    if (id === special.eos) break;
    if (id === special.pad || id === special.bos) continue;
    cut.push(id);
  }
  return tok.decode(cut).trim();
}
