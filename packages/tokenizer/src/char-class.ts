/**
 * Code point classes of GPT-2's pre-tokenization pattern, with JavaScript `u`-mode semantics (the same as
 * the JS reference encoders gpt-3-encoder, js-tiktoken and gpt-tokenizer):
 * LETTER = `\p{L}`, NUMBER = `\p{N}`, SPACE = `\s`, OTHER = anything else (incl. lone surrogates).
 *
 * Note: JS `\s` differs from Python `regex`'s `\s` (used by OpenAI's original encoder.py) on exactly two code
 * points: U+FEFF is whitespace in JS only, U+0085 in Python only.
 */

export const OTHER = 0;
export const LETTER = 1;
export const NUMBER = 2;
export const SPACE = 3;
export type CharClass = typeof OTHER | typeof LETTER | typeof NUMBER | typeof SPACE;

const RE_LETTER = /^\p{L}$/u;
const RE_NUMBER = /^\p{N}$/u;
const RE_SPACE = /^\s$/u;

/** Lazily filled class table for all code points: 0 = not yet computed, else class + 1. */
const table = new Uint8Array(0x110000);

function compute(cp: number): CharClass {
  if (cp >= 0xd800 && cp <= 0xdfff) return OTHER; // lone surrogate
  const s = String.fromCodePoint(cp);
  if (RE_LETTER.test(s)) return LETTER;
  if (RE_NUMBER.test(s)) return NUMBER;
  if (RE_SPACE.test(s)) return SPACE;
  return OTHER;
}

// Pre-fill ASCII and Latin-1 so the hot path rarely calls compute().
for (let cp = 0; cp < 0x100; cp++) table[cp] = compute(cp) + 1;

/** Class of code point `cp` (0..0x10FFFF). */
export function charClass(cp: number): CharClass {
  const v = table[cp]!;
  if (v !== 0) return (v - 1) as CharClass;
  const c = compute(cp);
  table[cp] = c + 1;
  return c;
}
