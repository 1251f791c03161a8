/**
 * Reading the inputs of `xrec metrics explain`: explanation rows as JSON Lines and a feature list (one
 * feature per line). Errors name the file and line.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { DataError, NotFoundError } from '@xrec/core';
import type { ExplanationRow } from './explanation.js';

/** Rows and the 1-based line each came from (blank lines are skipped). */
export interface ExplanationRowsFile {
  readonly rows: ExplanationRow[];
  readonly lines: number[];
  readonly source: string;
}

/**
 * Parse JSON Lines of `{"reference": str, "generated": str, "feature"?: str, "rating"?: number,
 * "predicted"?: number}`. Other fields are ignored; `null` counts as absent; blank lines and a leading BOM
 * are skipped.
 */
export function parseExplanationRows(text: string, source = '<input>'): ExplanationRowsFile {
  const rows: ExplanationRow[] = [];
  const lines: number[] = [];
  const all = text.replace(/^\ufeff/, '').split('\n');
  for (let ln = 0; ln < all.length; ln++) {
    const line = all[ln]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const where = `${source} line ${ln + 1}`;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new DataError(`${where}: not valid JSON (${(e as Error).message})`, { cause: e });
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new DataError(`${where}: expected a JSON object, got ${Array.isArray(obj) ? 'an array' : JSON.stringify(obj)}`);
    }
    const o = obj as Record<string, unknown>;
    for (const k of ['reference', 'generated'] as const) {
      if (typeof o[k] !== 'string') throw new DataError(`${where}: field '${k}' must be a string, got ${o[k] === undefined ? 'nothing' : JSON.stringify(o[k])}`);
    }
    const row: { -readonly [K in keyof ExplanationRow]: ExplanationRow[K] } = { reference: o.reference as string, generated: o.generated as string };
    if (o.feature !== undefined && o.feature !== null) {
      if (typeof o.feature !== 'string') throw new DataError(`${where}: field 'feature' must be a string, got ${JSON.stringify(o.feature)}`);
      row.feature = o.feature;
    }
    for (const k of ['rating', 'predicted'] as const) {
      const v = o[k];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError(`${where}: field '${k}' must be a finite number, got ${JSON.stringify(v)}`);
      row[k] = v;
    }
    rows.push(row);
    lines.push(ln + 1);
  }
  return { rows, lines, source };
}

function readTextFile(path: string, what: string): string {
  if (!existsSync(path)) throw new NotFoundError(`${what} ${path} does not exist`);
  if (!statSync(path).isFile()) throw new DataError(`${what} ${path} is not a file`);
  return readFileSync(path, 'utf8');
}

/** Read an explanation-rows JSONL file (see {@link parseExplanationRows}). */
export function readExplanationRows(path: string): ExplanationRowsFile {
  return parseExplanationRows(readTextFile(path, 'explanation rows file'), path);
}

/** One feature per line; surrounding whitespace is trimmed, blank lines skipped, duplicates kept once. */
export function parseFeatureList(text: string): string[] {
  const seen = new Set<string>();
  for (const line of text.replace(/^\ufeff/, '').split('\n')) {
    const f = line.trim();
    if (f !== '') seen.add(f);
  }
  return [...seen];
}

/** Read a feature file (see {@link parseFeatureList}); an empty list is an error (FCR divides by its size). */
export function readFeatureFile(path: string): string[] {
  const features = parseFeatureList(readTextFile(path, 'feature file'));
  if (features.length === 0) throw new DataError(`feature file ${path} holds no feature (expected one feature per line)`);
  return features;
}
