import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { DataError, REVIEW_SCHEMA } from '@xrec/core';
import { loadAmazonReviews } from './amazon.js';
import { BUNDLED_REVIEWS, tmp } from '../test/helpers.js';

describe('loadAmazonReviews', () => {
  it('reads the real Musical Instruments 5-core file (2014 edition, gzip) with the published counts', async () => {
    const { table, records, stats } = await loadAmazonReviews(BUNDLED_REVIEWS);
    expect(stats.lines).toBe(10261);
    expect(stats.skippedMissingText).toBe(7); // 10,261 reviews, 7 of them with an empty reviewText
    expect(stats.kept).toBe(10254);
    expect(stats.skippedMalformed).toBe(0);
    expect(table.numRows).toBe(10254);
    expect(table.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual(
      REVIEW_SCHEMA.fields.map((f) => [f.name, String(f.type), f.nullable]),
    );
    expect(new Set(records.map((r) => r.user)).size).toBeGreaterThanOrEqual(1420);
    expect(new Set(records.map((r) => r.item)).size).toBe(900);
    const first = table.get(0)?.toJSON();
    expect(first?.user).toBe('A2IBPI20UZIR0U');
    expect(first?.item).toBe('1384719342');
    expect(first?.rating).toBe(5);
    expect(first?.timestamp).toBe(1393545600n);
    expect(first?.vote).toBe(0); // helpful [0, 0]
    expect(records[1]?.vote).toBe(13); // helpful [13, 14]
  });

  it('reads the same data from a plain (not gzipped) copy', async () => {
    const dir = tmp();
    const plain = join(dir, 'reviews.json');
    writeFileSync(plain, gunzipSync(readFileSync(BUNDLED_REVIEWS)));
    const a = await loadAmazonReviews(plain, { limit: 50 });
    const b = await loadAmazonReviews(BUNDLED_REVIEWS, { limit: 50 });
    expect(a.records).toEqual(b.records);
  });

  it('reads 2018-edition fields (vote string, style object, verified) and counts skips', async () => {
    const dir = tmp();
    const file = join(dir, 'r2018.json');
    const lines = [
      { overall: 4.0, vote: '1,234', verified: true, reviewTime: '01 1, 2018', reviewerID: 'U1', asin: 'B1', style: { 'Size:': ' Large' }, reviewText: 'Nice strings.', summary: 'ok', unixReviewTime: 1514764800 },
      { overall: 2.0, verified: false, reviewerID: 'U2', asin: 'B1', reviewText: 'Bad cable.', unixReviewTime: 1514764801 },
      { overall: 5.0, reviewerID: 'U3', asin: 'B2', summary: 'no text' },
      { reviewerID: 'U4', asin: 'B2', reviewText: 'no rating here' },
    ].map((o) => JSON.stringify(o));
    writeFileSync(file, `${lines.join('\n')}\n\n`);
    const { records, stats } = await loadAmazonReviews(file);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ user: 'U1', item: 'B1', rating: 4, vote: 1234, verified: true, style: '{"Size:":" Large"}', summary: 'ok' });
    expect(records[1]).toMatchObject({ vote: null, verified: false, style: null, summary: null });
    expect(stats).toMatchObject({ kept: 2, skippedMissingText: 1, skippedMissingRating: 1, blankLines: 1, skippedMalformed: 0 });
  });

  it('a line that is not JSON: DataError with file and line by default; skipped and counted when lenient', async () => {
    const dir = tmp();
    const file = join(dir, 'bad.json');
    const good = JSON.stringify({ reviewerID: 'U1', asin: 'I1', overall: 5, reviewText: 'Great tuner.' });
    writeFileSync(file, `${good}\n{"reviewerID": "U2", "asin": oops\n${good}\n[1,2]\n`);
    await expect(loadAmazonReviews(file)).rejects.toThrow(DataError);
    await expect(loadAmazonReviews(file)).rejects.toThrow(`${file}:2: not valid JSON`);
    const lenient = await loadAmazonReviews(file, { lenient: true });
    expect(lenient.stats.kept).toBe(2);
    expect(lenient.stats.skippedMalformed).toBe(2);
    expect(lenient.stats.malformedExamples.map((m) => m.lineNo)).toEqual([2, 4]);
  });

  it('a line without reviewerID is malformed and names the field', async () => {
    const dir = tmp();
    const file = join(dir, 'noid.json');
    writeFileSync(file, `${JSON.stringify({ asin: 'I1', overall: 5, reviewText: 'x' })}\n`);
    await expect(loadAmazonReviews(file)).rejects.toThrow(/noid\.json:1: field 'reviewerID'/);
  });

  it('ratings: out of range, not a number or a non-numeric string are malformed (lenient: skipped); a numeric string is read', async () => {
    const dir = tmp();
    const file = join(dir, 'ratings.json');
    const row = (overall: unknown, u: string) => JSON.stringify({ reviewerID: u, asin: 'I1', overall, reviewText: 'Fine.' });
    writeFileSync(file, [row(42, 'U1'), row(-3, 'U2'), row('five', 'U3'), row(1e308, 'U4'), row('4.0', 'U5'), row(3, 'U6')].join('\n'));
    await expect(loadAmazonReviews(file)).rejects.toThrow(`${file}:1: field 'overall': 42 is outside the rating range [1, 5]`);
    const lenient = await loadAmazonReviews(file, { lenient: true });
    expect(lenient.records.map((r) => [r.user, r.rating])).toEqual([
      ['U5', 4],
      ['U6', 3],
    ]);
    expect(lenient.stats.malformedExamples.map((m) => m.reason)).toEqual([
      "field 'overall': 42 is outside the rating range [1, 5]",
      "field 'overall': -3 is outside the rating range [1, 5]",
      'field \'overall\': expected a number, got "five"',
      "field 'overall': 1e+308 is outside the rating range [1, 5]",
    ]);
  });

  it('a byte-order mark is accepted; invalid UTF-8 in an id is malformed instead of merging ids', async () => {
    const dir = tmp();
    const bom = join(dir, 'bom.json');
    writeFileSync(bom, `\uFEFF${JSON.stringify({ reviewerID: 'U1', asin: 'I1', overall: 5, reviewText: 'Good.' })}\n`);
    expect((await loadAmazonReviews(bom)).records[0]?.user).toBe('U1');
    const bad = join(dir, 'bad-utf8.json');
    const line = (id: Buffer) => Buffer.concat([Buffer.from('{"reviewerID": "A'), id, Buffer.from('", "asin": "I1", "overall": 5, "reviewText": "x"}\n')]);
    writeFileSync(bad, Buffer.concat([line(Buffer.from([0xff])), line(Buffer.from([0xfe]))]));
    await expect(loadAmazonReviews(bad)).rejects.toThrow(/bad-utf8\.json:1: field 'reviewerID': invalid UTF-8/);
  });

  it('a truncated .gz is a DataError naming the file', async () => {
    const dir = tmp();
    const file = join(dir, 'trunc.json.gz');
    const gz = gzipSync(gunzipSync(readFileSync(BUNDLED_REVIEWS)).subarray(0, 200_000));
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
    const err = await loadAmazonReviews(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(String((err as Error).message)).toMatch(/trunc\.json\.gz.*(truncated|unexpected end)/);
  });

  it('a missing file is NotFoundError', async () => {
    await expect(loadAmazonReviews('/no/such/file.json')).rejects.toThrow(/file not found/);
  });
});
