/** Reading small delimited text files (MovieLens, TSV) whole, with file:line in every error. */
import { readFileSync } from 'node:fs';
import { DataError } from '@xrec/core';
import { requireFile } from './text-lines.js';

/** The non-empty lines of `path` decoded as `encoding`, each with its 1-based line number. */
export function readTextLines(path: string, what: string, encoding: 'utf8' | 'latin1' = 'utf8'): { line: string; lineNo: number }[] {
  requireFile(path, what);
  const text = readFileSync(path).toString(encoding);
  const out: { line: string; lineNo: number }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() !== '') out.push({ line, lineNo: i + 1 });
  }
  return out;
}

/** Split `line` by `sep` and check the field count (exact, or at least `min`). */
export function splitFields(line: string, sep: string, expected: number, where: string, exact = true): string[] {
  const f = line.split(sep);
  if (exact ? f.length !== expected : f.length < expected) {
    throw new DataError(`${where}: expected ${exact ? '' : 'at least '}${expected} '${sep === '\t' ? '\\t' : sep}'-separated fields, got ${f.length}: ${line.slice(0, 80)}`);
  }
  return f;
}

/** Parse a number field, DataError naming the field when it is not one. */
export function numberField(s: string, where: string, name: string, integer = false): number {
  const v = Number(s.trim());
  if (s.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw new DataError(`${where}: field '${name}' must be ${integer ? 'an integer' : 'a number'}, got '${s}'`);
  }
  return v;
}
