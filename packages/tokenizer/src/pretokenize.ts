/**
 * Pre-tokenization: split text into pieces that BPE then encodes independently.
 *
 * GPT-2's pattern (Radford et al. 2019, openai/gpt-2 `encoder.py`):
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * is implemented as a hand-written scanner ({@link gpt2PieceEnd}) that returns exactly the matches of that
 * regular expression under JavaScript `u`-mode semantics (property-tested against the RegExp), without the
 * regex engine's backtracking and match-object allocations.
 *
 * Example: `gpt2PreTokenize("I'll pay $12.50  now!")` -> ["I", "'ll", " pay", " $", "12", ".", "50", " ", " now", "!"].
 */
import { charClass, LETTER, NUMBER, OTHER, SPACE } from './char-class.js';
import { VocabError } from '@xrec/core';

/** The GPT-2 split pattern as source text (for tokenizer.json files and RegExp comparisons). */
export const GPT2_SPLIT_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/** ASCII classes, to skip the table lookup for the common case. */
const ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII[c] = charClass(c);

/** Class of the code point starting at `i` (which must be < n); a surrogate pair has class of its code point. */
function classAt(text: string, i: number, n: number): number {
  const c = text.charCodeAt(i);
  if (c < 128) return ASCII[c]!;
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return charClass(0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00));
  }
  return charClass(c);
}

/** Width in code units of the code point at `i`. */
function widthAt(text: string, i: number, n: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** End of the maximal run of code points of class `cls` starting at `i`. */
function runEnd(text: string, i: number, n: number, cls: number): number {
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if (ASCII[c] !== cls) return i;
      i++;
      continue;
    }
    if (classAt(text, i, n) !== cls) return i;
    i += widthAt(text, i, n);
  }
  return i;
}

/**
 * End (exclusive, in UTF-16 code units) of the GPT-2 pre-token that starts at `start` (< text.length).
 * Alternatives are tried in the pattern's order, as a backtracking regex engine does.
 */
export function gpt2PieceEnd(text: string, start: number): number {
  const n = text.length;
  const c = text.charCodeAt(start);
  if (c === 0x27 && start + 1 < n) {
    // 's 't 're 've 'm 'll 'd (lower case only, as in GPT-2)
    const c1 = text.charCodeAt(start + 1);
    if (c1 === 0x73 || c1 === 0x74 || c1 === 0x6d || c1 === 0x64) return start + 2;
    if (start + 2 < n) {
      const c2 = text.charCodeAt(start + 2);
      if ((c1 === 0x72 && c2 === 0x65) || (c1 === 0x76 && c2 === 0x65) || (c1 === 0x6c && c2 === 0x6c)) return start + 3;
    }
  }
  if (c === 0x20 && start + 1 < n) {
    // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+' with the optional space present
    const cls1 = classAt(text, start + 1, n);
    if (cls1 !== SPACE) return runEnd(text, start + 1 + widthAt(text, start + 1, n), n, cls1);
  }
  const cls = classAt(text, start, n);
  if (cls === SPACE) {
    // '\s+(?!\S)' backtracks to leave the last whitespace before a non-space; '\s+' takes a lone one.
    const j = runEnd(text, start + 1, n, SPACE); // every \s code point is one code unit
    if (j === n || j - start < 2) return j;
    return j - 1;
  }
  return runEnd(text, start + widthAt(text, start, n), n, cls);
}

/** Split `text` into GPT-2 pre-tokens (their concatenation is `text`). */
export function gpt2PreTokenize(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const j = gpt2PieceEnd(text, i);
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

/**
 * A pre-tokenizer from a custom pattern (Hugging Face `Split` with behavior `Isolated`): every match is a
 * piece and so is every stretch of text between matches. Throws VocabError when JS RegExp cannot compile it.
 */
export function regexPreTokenizer(pattern: string, where: string): (text: string) => string[] {
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'gu');
  } catch (e) {
    throw new VocabError(`${where}: split pattern ${JSON.stringify(pattern)} is not a valid JavaScript regular expression (${(e as Error).message})`, { cause: e });
  }
  return (text: string) => {
    const out: string[] = [];
    let last = 0;
    for (const m of text.matchAll(re)) {
      const s = m.index;
      if (m[0].length === 0) continue;
      if (s > last) out.push(text.slice(last, s));
      out.push(m[0]);
      last = s + m[0].length;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  };
}

export { LETTER, NUMBER, OTHER, SPACE };
