import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explanationMetrics } from '@xrec/metrics';
import { runCli as run } from '../../test/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'xrec-cli-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = [
  { reference: 'The room was clean, and the staff were friendly!', generated: 'the room was clean', feature: 'room', rating: 4, predicted: 4.6 },
  { reference: 'Great location near the station.', generated: 'the staff were friendly', feature: 'location', rating: 2, predicted: 0.5 },
  { reference: "Breakfast wasn't great.", generated: 'the room was clean', feature: 'breakfast', rating: 5, predicted: 5.2 },
];
const KEYS = ['n', 'bleu1', 'bleu4', 'rouge1_f', 'rouge1_p', 'rouge1_r', 'rouge2_f', 'rouge2_p', 'rouge2_r', 'rougeL_f', 'rougeL_p', 'rougeL_r', 'usr', 'usn', 'fmr', 'fcr', 'div'];


describe('xrec metrics explain', () => {
  const input = join(dir, 'rows.jsonl');
  const features = join(dir, 'features.txt');
  writeFileSync(input, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  writeFileSync(features, 'room\nstaff\nlocation\nbreakfast\npool\n');

  it('prints exactly the documented keys (+ rmse, mae with ratings) and the library values', async () => {
    const r = await run(['metrics', 'explain', '--input', input, '--features', features, '--min-rating', '1', '--max-rating', '5']);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out) as Record<string, number>;
    expect(Object.keys(printed)).toEqual([...KEYS, 'rmse', 'mae']);
    expect(printed).toEqual(explanationMetrics(rows, { features: ['room', 'staff', 'location', 'breakfast', 'pool'], minRating: 1, maxRating: 5 }));
  });

  it('without ratings: exactly the 17 keys; without --features: a note on stderr', async () => {
    const plain = join(dir, 'plain.jsonl');
    writeFileSync(plain, rows.map(({ reference, generated, feature }) => JSON.stringify({ reference, generated, feature })).join('\n'));
    const r = await run(['metrics', 'explain', '--input', plain]);
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.out) as object)).toEqual(KEYS);
    expect(r.err).toMatch(/no --features file/);
    const textOnly = join(dir, 'text-only.jsonl');
    writeFileSync(textOnly, rows.map(({ reference, generated }) => JSON.stringify({ reference, generated })).join('\n'));
    const t = await run(['metrics', 'explain', '--input', textOnly, '--features', features]);
    expect(t.code).toBe(0);
    expect((JSON.parse(t.out) as Record<string, number>).fmr).toBe(0);
    expect(t.err).toMatch(/3 of 3 rows have no 'feature'/);
  });

  it('clear errors: missing files, empty input, bad rows, half a rating range', async () => {
    expect((await run(['metrics', 'explain', '--input', join(dir, 'none.jsonl')])).err).toMatch(/NotFoundError.*none.jsonl does not exist/);
    expect((await run(['metrics', 'explain', '--input', input, '--features', join(dir, 'f.txt')])).err).toMatch(/feature file .*f.txt does not exist/);
    writeFileSync(join(dir, 'empty.jsonl'), '');
    expect((await run(['metrics', 'explain', '--input', join(dir, 'empty.jsonl')])).err).toMatch(/holds no rows/);
    writeFileSync(join(dir, 'bad.jsonl'), '{"reference":"a","generated":"b","feature":"x"}\n{"reference":"a"}\n');
    const bad = await run(['metrics', 'explain', '--input', join(dir, 'bad.jsonl')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bad.jsonl line 2: field 'generated' must be a string/);
    expect((await run(['metrics', 'explain', '--input', input, '--min-rating', '1'])).err).toMatch(/both --min-rating and --max-rating/);
    expect((await run(['metrics', 'explain', '--input', input, '--min-rating', 'x', '--max-rating', '5'])).err).toMatch(/--min-rating must be a number/);
  });

  it('ratings outside the declared range are errors naming the line; an overflowing RMSE is an error, not null', async () => {
    const wild = join(dir, 'wild.jsonl');
    writeFileSync(wild, `${JSON.stringify(rows[0])}\n${JSON.stringify({ ...rows[1], rating: 42 })}\n`);
    const r = await run(['metrics', 'explain', '--input', wild, '--max-rating', '5', '--min-rating', '1', '--json']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/wild.jsonl line 2: rating 42 is outside \[--min-rating 1, --max-rating 5\]/);
    writeFileSync(wild, `${JSON.stringify(rows[0])}\n${JSON.stringify({ ...rows[1], rating: 1e308 })}\n`);
    const o = await run(['metrics', 'explain', '--input', wild]);
    expect(o.code).toBe(2);
    expect(o.err).toMatch(/RMSE\/MAE overflow/);
  });
});
