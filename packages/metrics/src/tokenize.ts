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
const PY_WS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_WS_RUN = new RegExp(`[${PY_WS}]+`);
const PY_WS_LEAD = new RegExp(`^[${PY_WS}]+`);
const PY_WS_TRAIL = new RegExp(`[${PY_WS}]+$`);

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

/** Python `str.strip()` (no argument). */
export function pythonStrip(s: string): string {
  return s.replace(PY_WS_LEAD, '').replace(PY_WS_TRAIL, '');
}

/** Python `str.split()` (no argument): split on runs of whitespace, no empty strings. */
export function pythonSplit(s: string): string[] {
  const t = pythonStrip(s);
  return t === '' ? [] : t.split(PY_WS_RUN);
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
