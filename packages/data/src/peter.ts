/**
 * PETER / PEPLER / NETE datasets as their authors distribute them (Li et al., ACL 2021; TOIS 2023):
 * `reviews.pickle` — a Python list of dicts `{user, item, rating, template: (feature, adjective, sentence,
 * sentiment), ...}` — and split folders `1/`..`5/` with `train.index`, `validation.index`, `test.index`.
 * The pickle is read with the `pickleparser` package (protocols 0-5); nothing is executed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from 'pickleparser';
import type { Table } from 'apache-arrow';
import { DataError, EXPLANATION_SCHEMA, NotFoundError, type ExplanationRecord } from '@xrec/core';
import { tableFromColumns } from './arrow-table.js';
import { countSplitFolders, readSplitFolders, type Split } from './split-index.js';

export interface PeterDataset {
  readonly table: Table;
  readonly records: readonly ExplanationRecord[];
  readonly splits: readonly Split[];
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v instanceof Map) return 'a dict';
  return typeof v === 'object' ? `an object of class ${(v as object).constructor?.name ?? '?'}` : `${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}

function field(o: Record<string, unknown>, name: string): unknown {
  return o[name];
}

function idString(v: unknown, where: string, name: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  throw new DataError(`${where}: field '${name}' must be a string or integer id, got ${describe(v)}`);
}

/** Convert the unpickled value into explanation records, checking the structure record by record. */
export function peterRecordsFromPickle(value: unknown, file: string): ExplanationRecord[] {
  if (!Array.isArray(value)) throw new DataError(`${file}: expected a pickled list of review dicts, got ${describe(value)}`);
  return value.map((raw, i) => {
    const where = `${file}: record ${i}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new DataError(`${where}: expected a dict, got ${describe(raw)}`);
    const o = raw as Record<string, unknown>;
    const user = idString(field(o, 'user'), where, 'user');
    const item = idString(field(o, 'item'), where, 'item');
    const rating = field(o, 'rating');
    if (typeof rating !== 'number' || !Number.isFinite(rating)) throw new DataError(`${where}: field 'rating' must be a number, got ${describe(rating)}`);
    const t = field(o, 'template');
    if (!Array.isArray(t) || t.length !== 4) {
      throw new DataError(`${where}: field 'template' must be a 4-tuple (feature, adjective, sentence, sentiment), got ${describe(t)}`);
    }
    const [feature, opinion, sentence, sentiment] = t as unknown[];
    if (typeof feature !== 'string') throw new DataError(`${where}: template[0] (feature) must be a string, got ${describe(feature)}`);
    if (typeof opinion !== 'string') throw new DataError(`${where}: template[1] (adjective) must be a string, got ${describe(opinion)}`);
    if (typeof sentence !== 'string') throw new DataError(`${where}: template[2] (sentence) must be a string, got ${describe(sentence)}`);
    if (typeof sentiment !== 'number' || !Number.isFinite(sentiment)) {
      throw new DataError(`${where}: template[3] (sentiment) must be a number, got ${describe(sentiment)}`);
    }
    return { user, item, rating, feature, opinion, sentence, sentiment: Math.sign(sentiment) };
  });
}

/** Unpickle `reviews.pickle` bytes (DataError when the bytes are not a valid pickle). */
export function unpickle(bytes: Uint8Array, file: string): unknown {
  try {
    return new Parser().parse(bytes);
  } catch (e) {
    throw new DataError(`${file}: not a readable Python pickle: ${(e as Error).message}`, { cause: e });
  }
}

/** Explanation records as an EXPLANATION_SCHEMA table. */
export function explanationTable(records: readonly ExplanationRecord[]): Table {
  return tableFromColumns(EXPLANATION_SCHEMA, {
    user: records.map((r) => r.user),
    item: records.map((r) => r.item),
    rating: records.map((r) => r.rating),
    feature: records.map((r) => r.feature),
    opinion: records.map((r) => r.opinion),
    sentence: records.map((r) => r.sentence),
    sentiment: records.map((r) => r.sentiment),
  }, records.length);
}

/** Load a PETER-format directory: `reviews.pickle` plus every split folder `1/`, `2/`, ... present. */
export function loadPeterDataset(dir: string): PeterDataset {
  const file = join(dir, 'reviews.pickle');
  if (!existsSync(file)) throw new NotFoundError(`loadPeterDataset: ${file} not found (a PETER dataset folder holds reviews.pickle and 1/..5/)`);
  const records = peterRecordsFromPickle(unpickle(readFileSync(file), file), file);
  const count = countSplitFolders(dir);
  const splits = count === 0 ? [] : readSplitFolders(dir, records.length, count);
  return { table: explanationTable(records), records, splits };
}
