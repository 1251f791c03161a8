/**
 * Token ids of P5 prompts: sources end with EOS, as T5's tokenizer adds it; targets are an item id written
 * after a space (so its pieces are the ones it has inside a source, as T5's sentencepiece `▁` makes them) and
 * EOS. Whole-word ids (P5's `calculate_whole_word_ids`): the w-th word's pieces get w (1-based), EOS gets 0;
 * a piece that begins with a space (byte-level `Ġ`) starts a new word.
 */
import { ConfigError } from '@xrec/core';
import type { Tokenizer } from '@xrec/tokenizer';

export interface EncodedSource {
  readonly ids: number[];
  readonly wholeWordIds: number[];
}

function eosOf(tok: Tokenizer, where: string): number {
  if (tok.eosId === undefined) throw new ConfigError(`${where}: the tokenizer has no end-of-sequence token (add '<eos>' or '</s>')`);
  return tok.eosId;
}

/**
 * Ids of a source text (EOS appended; cut to `maxLength` tokens keeping the end) and its whole-word ids.
 * `allowSpecial`: item tokens (`<item_…>`) written in the text become their ids.
 */
export function encodeSource(tok: Tokenizer, text: string, maxLength = 512, allowSpecial = false): EncodedSource {
  const eos = eosOf(tok, 'encodeSource');
  let ids = tok.encode(text, { allowSpecial });
  if (ids.length + 1 > maxLength) ids = ids.slice(ids.length + 1 - maxLength);
  const wholeWordIds: number[] = [];
  let word = 0;
  ids.forEach((id, i) => {
    const piece = tok.idToToken(id) ?? '';
    if (i === 0 || piece.startsWith('Ġ') || piece.startsWith('▁')) word++;
    wholeWordIds.push(word);
  });
  return { ids: [...ids, eos], wholeWordIds: [...wholeWordIds, 0] };
}

/** Ids of an item id as a target: ` {item}` and EOS. */
export function encodeTarget(tok: Tokenizer, item: string): number[] {
  return [...tok.encode(` ${item}`), eosOf(tok, 'encodeTarget')];
}

/**
 * The token of an item under independent indexing (Hua et al. 2023, "How to Index Item IDs for Recommendation
 * Foundation Models": one new vocabulary entry per item, so an id is never split into shared pieces).
 */
export function itemTokenName(item: string): string {
  return `<item_${item}>`;
}

/** The token of a user under `userTokens` (one vocabulary entry per user, as items get under independent indexing). */
export function userTokenName(user: string): string {
  return `<user_${user}>`;
}

/** Ids of an item as a target under independent indexing: its token and EOS. */
export function encodeItemTokenTarget(tok: Tokenizer, item: string): number[] {
  const id = tok.specialTokens[itemTokenName(item)];
  if (id === undefined) throw new ConfigError(`encodeItemTokenTarget: the tokenizer has no token '${itemTokenName(item)}' (create the recommender with itemTokens: true, which adds one per item)`);
  return [id, eosOf(tok, 'encodeItemTokenTarget')];
}
