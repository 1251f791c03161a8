/**
 * The special-token roles every text-generation method needs — `<bos>` starts a sequence, `<eos>` ends it,
 * `<pad>` fills — found on any tokenizer, and the encode/decode helpers around them. {@link TextCodec} is the
 * slice of {@link Tokenizer} they use (a test double implements just that).
 */
import { VocabError } from '@xrec/core';
import type { Tokenizer } from './tokenizer.js';

/** The part of a Tokenizer that encoding, decoding and special-id lookup use. */
export type TextCodec = Pick<Tokenizer, 'vocabSize' | 'encode' | 'decode' | 'tokenToId' | 'bosId' | 'eosId' | 'padId' | 'maskId'>;

export interface SpecialIds {
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
}

/** The ignore label of cross-entropy losses (PyTorch's `ignore_index`). */
export const IGNORE_INDEX = -100;

function lookup(tok: TextCodec, names: readonly string[]): number | undefined {
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
export function specialIds(tok: TextCodec): SpecialIds {
  const bos = tok.bosId ?? lookup(tok, ['<bos>', '<s>', '<|endoftext|>']);
  const eos = tok.eosId ?? lookup(tok, ['<eos>', '</s>', '<|endoftext|>']);
  if (bos === undefined || eos === undefined) {
    throw new VocabError(`specialIds: the tokenizer has no ${bos === undefined ? '<bos>' : '<eos>'} token (expected bosId/eosId or a '<bos>'/'<eos>' entry)`);
  }
  const pad = tok.padId ?? lookup(tok, ['<pad>']) ?? eos;
  return { bos, eos, pad };
}

/** Encode plain text to ids without special tokens (a leading `<bos>` some vocabularies add is dropped). */
export function encodeText(tok: TextCodec, text: string, special: SpecialIds): number[] {
  const ids = Array.from(tok.encode(text));
  while (ids.length > 0 && ids[0] === special.bos) ids.shift();
  return ids;
}

/** Decode generated ids up to (not including) the first `<eos>`, skipping `<pad>` and `<bos>`. */
export function decodeUntilEos(tok: TextCodec, ids: readonly number[], special: SpecialIds): string {
  const cut: number[] = [];
  for (const id of ids) {
    if (id === special.eos) break;
    if (id === special.pad || id === special.bos) continue;
    cut.push(id);
  }
  return tok.decode(cut).trim();
}
