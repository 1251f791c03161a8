/**
 * A parser for the Python literal lines of the older Amazon 2014 dumps (`{'reviewerID': 'A…', 'helpful':
 * [2, 3], 'overall': 5.0, …}`, read upstream with `eval`). Accepts dicts, lists, tuples, str (single or
 * double quotes, backslash escapes), int/float, True/False/None. Nothing is evaluated.
 */

class LiteralSyntaxError extends Error {}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', b: '\b', f: '\f', '0': '\0', '\n': '' };

/** Parse one Python literal; throws an Error with the column on bad syntax. */
export function parsePythonLiteral(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new LiteralSyntaxError(`${what} at column ${i + 1}`);
  };
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const str = (): string => {
    const q = text[i];
    i++;
    let out = '';
    while (i < text.length && text[i] !== q) {
      const c = text[i] as string;
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = text[i + 1] ?? fail('unterminated escape');
      if (e === 'x' || e === 'u' || e === 'U') {
        const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = text.slice(i + 2, i + 2 + n);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) fail(`bad \\${e} escape`);
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        i += 2 + n;
      } else {
        out += ESCAPES[e as string] ?? `\\${e as string}`;
        i += 2;
      }
    }
    if (i >= text.length) fail('unterminated string');
    i++;
    return out;
  };
  const seq = (close: string): unknown[] => {
    const out: unknown[] = [];
    i++;
    ws();
    while (text[i] !== close) {
      out.push(value());
      ws();
      if (text[i] === ',') {
        i++;
        ws();
      } else if (text[i] !== close) fail(`expected ',' or '${close}'`);
    }
    i++;
    return out;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === undefined) return fail('unexpected end');
    if (c === "'" || c === '"') return str();
    if (c === '[') return seq(']');
    if (c === '(') return seq(')');
    if (c === '{') {
      const o: Record<string, unknown> = {};
      i++;
      ws();
      while (text[i] !== '}') {
        const k = value();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        o[String(k)] = value();
        ws();
        if (text[i] === ',') {
          i++;
          ws();
        } else if (text[i] !== '}') fail("expected ',' or '}'");
      }
      i++;
      return o;
    }
    const m = /^(?:True|False|None|[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?))/.exec(text.slice(i, i + 40));
    if (!m) return fail(`unexpected '${c}'`);
    i += m[0].length;
    return m[0] === 'True' ? true : m[0] === 'False' ? false : m[0] === 'None' ? null : Number(m[0]);
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}
