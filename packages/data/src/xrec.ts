/**
 * XRec explanation sets (Ma et al., "XRec: Large Language Models for Explainable Recommendation", EMNLP
 * Findings 2024): `*_tst.jsonl`, one interaction per line with `uid, iid, title, user_summary,
 * item_summary, explanation`. The explanation targets were written by gpt-3.5-turbo from real reviews.
 *
 * As explanation records: user = uid, item = iid, sentence = explanation. XRec carries no rating, feature,
 * opinion or sentiment: every row is an observed (implicitly positive) interaction, so rating = 1,
 * feature = opinion = '' and sentiment = 0.
 */
import type { Table } from 'apache-arrow';
import { DataError, type ExplanationRecord } from '@xrec/core';
import { explanationTable } from './peter.js';
import { readLines } from './text-lines.js';

export interface XrecRow {
  readonly uid: string;
  readonly iid: string;
  readonly title: string;
  readonly userSummary: string;
  readonly itemSummary: string;
  readonly explanation: string;
}

export interface XrecExplanations {
  readonly rows: readonly XrecRow[];
  readonly records: readonly ExplanationRecord[];
  readonly table: Table;
}

/** The rating given to every XRec record (implicit feedback). */
export const XREC_IMPLICIT_RATING = 1;

function idOf(v: unknown, where: string, name: string): string {
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  if (typeof v === 'string' && v !== '') return v;
  throw new DataError(`${where}: field '${name}' must be an integer or string id, got ${JSON.stringify(v)}`);
}

function textOf(o: Record<string, unknown>, name: string, where: string): string {
  const v = o[name];
  if (typeof v !== 'string') throw new DataError(`${where}: field '${name}' must be a string, got ${JSON.stringify(v)?.slice(0, 40)}`);
  return v;
}

/** Read one XRec `*_tst.jsonl` file. */
export async function loadXrecExplanations(path: string): Promise<XrecExplanations> {
  const rows: XrecRow[] = [];
  for await (const { line, lineNo } of readLines(path, 'loadXrecExplanations')) {
    if (line.trim() === '') continue;
    const where = `${path}:${lineNo}`;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (e) {
      throw new DataError(`${where}: not valid JSON (${(e as Error).message})`);
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new DataError(`${where}: expected a JSON object`);
    const r = o as Record<string, unknown>;
    rows.push({
      uid: idOf(r['uid'], where, 'uid'),
      iid: idOf(r['iid'], where, 'iid'),
      title: textOf(r, 'title', where),
      userSummary: textOf(r, 'user_summary', where),
      itemSummary: textOf(r, 'item_summary', where),
      explanation: textOf(r, 'explanation', where),
    });
  }
  const records: ExplanationRecord[] = rows.map((r) => ({
    user: r.uid,
    item: r.iid,
    rating: XREC_IMPLICIT_RATING,
    feature: '',
    opinion: '',
    sentence: r.explanation,
    sentiment: 0,
  }));
  return { rows, records, table: explanationTable(records) };
}
