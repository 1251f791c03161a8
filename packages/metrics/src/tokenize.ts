/**
 * Word tokens exactly as the PETER / PEPLER evaluation makes them (Li et al. 2021, 2023; `utils.py`
 * `postprocessing`, adopted from Kim's CNN_sentence): punctuation and clitics are split off, then the text
 * is split on whitespace the way Python's `str.split()` does.
 *
 * ```ts
 * postprocess("It's great (really)!!");  // "It 's great ( really ) !"
 * wordTokens("don't,stop...now");        // ["do", "n't", ",", "stop", ".", "now"]
 * ```
 */

/**
 * The characters Python 3's `str.split()` / `str.strip()` treat as whitespace (`str.isspace()`):
 * `\t \n \v \f \r`, `\x1c-\x1f`, space, `\x85`, `\xa0`, `\u1680`, `\u2000-\u200a`, `\u2028`, `\u2029`,
 * `\u202f`, `\u205f`, `\u3000`. JavaScript's `\s` differs (it adds `\ufeff` and lacks `\x1c-\x1f`, `\x85`).
 */

/** The substitutions of `postprocessing`, applied in this order (each one to the result of the previous). */
const APOSTROPHE_RULES: readonly (readonly [RegExp, string])[] = [
  [/'s/g, " 's"],
  [/'m/g, " 'm"],
  [/'ve/g, " 've"],
  [/n't/g, " n't"],
  [/'re/g, " 're"],
  [/'d/g, " 'd"],
  [/'ll/g, " 'll"],
];
const PUNCT_RULES: readonly (readonly [RegExp, string])[] = [
  [/\(/g, ' ( '],
  [/\)/g, ' ) '],
  [/,+/g, ' , '],
  [/:+/g, ' , '],
  [/;+/g, ' . '],
  [/\.+/g, ' . '],
  [/!+/g, ' ! '],
  [/\?+/g, ' ? '],
];
const PUNCT_CHARS = /[(),:;.!?]/;

/** True when UTF-16 code unit `c` is Python whitespace (the list above; all are single code units). */
function isPyWs(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/** Python `str.strip()` (no argument). */
export function pythonStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPyWs(s.charCodeAt(a))) a++;
  while (b > a && isPyWs(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Python `str.split()` (no argument): split on runs of whitespace, no empty strings. */
export function pythonSplit(s: string): string[] {
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    while (i < n && isPyWs(s.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isPyWs(s.charCodeAt(i))) i++;
    out.push(s.slice(start, i));
  }
  return out;
}

/**
 * PEPLER's `postprocessing(string)`, step by step:
 * `'s 'm 've n't 're 'd 'll` get a space before them; `(` and `)` get spaces around them; a run of `,` and a
 * run of `:` become ` , `; a run of `;` and a run of `.` become ` . `; runs of `!` / `?` become ` ! ` / ` ? `;
 * then runs of spaces become one space and the ends are stripped.
 */
export function postprocess(text: string): string {
  if (typeof text !== 'string') throw new TypeError(`postprocess: expected a string, got ${typeof text}`);
  let s = text;
  // The rules are literal patterns: a rule whose trigger character is absent cannot change the string.
  if (s.includes("'")) for (const [re, rep] of APOSTROPHE_RULES) s = s.replace(re, rep);
  if (PUNCT_CHARS.test(s)) for (const [re, rep] of PUNCT_RULES) s = s.replace(re, rep);
  s = s.replace(/ +/g, ' ');
  return pythonStrip(s);
}

/** The word tokens the reference scores: `postprocess(text).split()` (Python whitespace split). */
export function wordTokens(text: string): string[] {
  return pythonSplit(postprocess(text));
}
