/**
 * Amazon review data (McAuley et al.) as JSON lines, plain or gzip:
 * - 2014 edition fields: `reviewerID, asin, reviewerName, helpful [up, total], reviewText, overall, summary,
 *   unixReviewTime, reviewTime`;
 * - 2018 edition adds `vote` (a string such as "1,234"), `style` (an object), `verified` (bool), `image`.
 *
 * Lines of the older 2014 dumps that are Python dict literals (`{'reviewerID': …}`) are read too.
 *
 * Output: an Arrow table with core's REVIEW_SCHEMA. `vote` is the 2018 `vote`, or the 2014 `helpful[0]`
 * (helpful votes); `style` is the JSON text of the 2018 object. Reviews without text or without a rating
 * are skipped and counted. A malformed line (not JSON, not an object, no `reviewerID`/`asin`, an id with
 * invalid UTF-8, a rating that is not a number or is outside [1, 5]) is a DataError naming file and line,
 * unless `lenient` is set: then it is skipped and counted. A byte-order mark at the start is accepted.
 */
import type { Table } from 'apache-arrow';
import { DataError, REVIEW_SCHEMA, type ReviewRecord } from '@xrec/core';
import { tableFromColumns } from './arrow-table.js';
import { parsePythonLiteral } from './python-literal.js';
import { readLines } from './text-lines.js';

export interface AmazonLoadOptions {
  /** Skip and count malformed lines instead of throwing (default false). */
  readonly lenient?: boolean;
  /** Stop after this many kept reviews (default: all). */
  readonly limit?: number;
}

/** What happened to every line of the file. */
export interface AmazonLoadStats {
  readonly lines: number;
  readonly kept: number;
  readonly blankLines: number;
  readonly skippedMissingText: number;
  readonly skippedMissingRating: number;
  readonly skippedMalformed: number;
  /** First few malformed lines (line number and reason), for lenient runs. */
  readonly malformedExamples: readonly { readonly lineNo: number; readonly reason: string }[];
}

export interface AmazonReviews {
  readonly table: Table;
  readonly records: readonly ReviewRecord[];
  readonly stats: AmazonLoadStats;
}

function parseVote(v: unknown, helpful: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string') {
    const n = Number.parseInt(v.replace(/,/g, ''), 10);
    if (Number.isFinite(n)) return n;
  }
  if (Array.isArray(helpful) && typeof helpful[0] === 'number') return Math.trunc(helpful[0]);
  return null;
}

/** Amazon's star ratings. */
export const AMAZON_RATING_RANGE: readonly [number, number] = [1, 5];

/** `overall` → a rating, `undefined` when absent, or the reason it is malformed (not a number, out of range). */
function parseRating(v: unknown): number | undefined | string {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) return `field 'overall': expected a number, got ${JSON.stringify(v)}`;
  const [lo, hi] = AMAZON_RATING_RANGE;
  if (n < lo || n > hi) return `field 'overall': ${n} is outside the rating range [${lo}, ${hi}]`;
  return n;
}

/** Invalid UTF-8 in an id would silently merge distinct users or items (both decode to U+FFFD). */
function badId(field: string, v: string): string | undefined {
  return v.includes('\uFFFD') ? `field '${field}': invalid UTF-8 (or U+FFFD) in the id ${JSON.stringify(v)}; ids must be exact` : undefined;
}

function parseTime(v: unknown): bigint | null {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  return null;
}

/** Parse one review line's object into a record, or a reason it is skipped. */
function toReview(o: Record<string, unknown>): ReviewRecord | 'text' | 'rating' | string {
  const user = o['reviewerID'];
  const item = o['asin'];
  if (typeof user !== 'string' || user === '') return `field 'reviewerID': expected a non-empty string, got ${JSON.stringify(user)}`;
  if (typeof item !== 'string' || item === '') return `field 'asin': expected a non-empty string, got ${JSON.stringify(item)}`;
  const bad = badId('reviewerID', user) ?? badId('asin', item);
  if (bad) return bad;
  const text = o['reviewText'];
  if (typeof text !== 'string' || text.trim() === '') return 'text';
  const rating = parseRating(o['overall']);
  if (rating === undefined) return 'rating';
  if (typeof rating === 'string') return rating;
  const summary = o['summary'];
  const style = o['style'];
  const verified = o['verified'];
  return {
    user,
    item,
    rating,
    text,
    summary: typeof summary === 'string' ? summary : null,
    timestamp: parseTime(o['unixReviewTime']),
    vote: parseVote(o['vote'], o['helpful']),
    verified: typeof verified === 'boolean' ? verified : null,
    style: style === undefined || style === null ? null : typeof style === 'string' ? style : JSON.stringify(style),
  };
}

/** Read an Amazon review file (2014 or 2018 edition, plain or .gz) into REVIEW_SCHEMA. */
export async function loadAmazonReviews(path: string, opts: AmazonLoadOptions = {}): Promise<AmazonReviews> {
  const records: ReviewRecord[] = [];
  const malformedExamples: { lineNo: number; reason: string }[] = [];
  let lines = 0;
  let blankLines = 0;
  let skippedMissingText = 0;
  let skippedMissingRating = 0;
  let skippedMalformed = 0;
  const limit = opts.limit ?? Infinity;
  const malformed = (lineNo: number, reason: string): void => {
    if (!opts.lenient) throw new DataError(`loadAmazonReviews: ${path}:${lineNo}: ${reason}`);
    skippedMalformed += 1;
    if (malformedExamples.length < 10) malformedExamples.push({ lineNo, reason });
  };
  for await (const { line, lineNo } of readLines(path, 'loadAmazonReviews')) {
    lines = lineNo;
    if (line.trim() === '') {
      blankLines += 1;
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      // The older 2014 dumps hold Python dict literals ({'reviewerID': ...}); read those without eval.
      if (/^\s*\{\s*'/.test(line)) {
        try {
          parsed = parsePythonLiteral(line);
        } catch (pe) {
          malformed(lineNo, `neither JSON nor a Python dict literal (${(pe as Error).message}): ${line.slice(0, 60)}`);
          continue;
        }
      } else {
        malformed(lineNo, `not valid JSON (${(e as Error).message}): ${line.slice(0, 60)}`);
        continue;
      }
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      malformed(lineNo, `expected a JSON object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
      continue;
    }
    const r = toReview(parsed as Record<string, unknown>);
    if (r === 'text') skippedMissingText += 1;
    else if (r === 'rating') skippedMissingRating += 1;
    else if (typeof r === 'string') malformed(lineNo, r);
    else {
      records.push(r);
      if (records.length >= limit) break;
    }
  }
  const table = tableFromColumns(REVIEW_SCHEMA, {
    user: records.map((r) => r.user),
    item: records.map((r) => r.item),
    rating: records.map((r) => r.rating),
    text: records.map((r) => r.text),
    summary: records.map((r) => r.summary ?? null),
    timestamp: records.map((r) => r.timestamp ?? null),
    vote: records.map((r) => r.vote ?? null),
    verified: records.map((r) => r.verified ?? null),
    style: records.map((r) => r.style ?? null),
  }, records.length);
  return {
    table,
    records,
    stats: { lines, kept: records.length, blankLines, skippedMissingText, skippedMissingRating, skippedMalformed, malformedExamples },
  };
}
