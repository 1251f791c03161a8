/**
 * PEPLER's explanation truncation (utils.py's DataLoader): `decode(encode(text)[:words])`. Special-token
 * roles and the encode/decode helpers come from `@xrec/tokenizer`.
 */
import { encodeText, specialIds, type SpecialIds, type TextCodec } from '@xrec/tokenizer';

/** Reference truncation: keep the first `words` tokens of the explanation, as ids. */
export function truncateIds(tok: TextCodec, text: string, words: number, special: SpecialIds): number[] {
  return encodeText(tok, text, special).slice(0, words);
}

/** Reference truncation as text: `decode(encode(text)[:words])`, trimmed. */
export function truncateText(tok: TextCodec, text: string, words: number): string {
  return tok.decode(truncateIds(tok, text, words, specialIds(tok))).trim();
}
