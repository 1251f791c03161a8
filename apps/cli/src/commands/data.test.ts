import { describe, it, expect, vi, afterEach } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { datasetForTest, DataError, NetworkError } from '@xrec/core';
import { bundledDatasetDir } from '@xrec/data';
import { registerData } from './data.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'xrec-cli-data-'));

function program(): Command {
  const p = new Command('xrec').option('--data-dir <dir>').exitOverride();
  registerData(p);
  return p;
}

async function run(args: string[]): Promise<string> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program().parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
  return out.join('');
}

/** A review file in the Amazon 2018 layout this project has not seen: other fields, vote strings, styles. */
function newcomerFile(dir: string, n: number): string {
  const src = gunzipSync(readFileSync(join(bundledDatasetDir('amazon-mi'), 'reviews_Musical_Instruments_5.json.gz'))).toString('utf8');
  const lines = src.trim().split('\n').slice(-n).map((l, i) => {
    const o = JSON.parse(l) as Record<string, unknown>;
    return JSON.stringify({
      overall: o['overall'], vote: i % 3 === 0 ? '1,024' : undefined, verified: i % 2 === 0, reviewTime: o['reviewTime'],
      reviewerID: `N${o['reviewerID'] as string}`, asin: o['asin'], style: { 'Color:': ' Black' }, reviewerName: 'x',
      reviewText: o['reviewText'], summary: o['summary'], unixReviewTime: o['unixReviewTime'], image: i % 7 === 0 ? ['http://x/y.jpg'] : undefined,
    });
  });
  const file = join(dir, 'newcomer_2018.json.gz');
  writeFileSync(file, gzipSync(`${lines.join('\n')}\n`));
  return file;
}

afterEach(() => vi.restoreAllMocks());

describe('xrec data', () => {
  it('build + stats on a newcomer Amazon-format file', async () => {
    const dir = tmp();
    const file = newcomerFile(dir, 2500);
    const out = join(dir, 'ds');
    const built = await run(['data', 'build', '--reviews', file, '--out', out, '--seed', '3', '--min-feature-reviews', '8', '--min-opinion-count', '3']);
    expect(built).toMatch(/\| newcomer_2018 \| \d+ \| \d+ \|/);
    expect(built).toMatch(/records \(\d+ positive, \d+ negative\) from 2495 reviews/);
    expect(existsSync(join(out, 'explanations.arrow'))).toBe(true);
    const stats = await run(['data', 'stats', out]);
    expect(stats).toMatch(/\| dataset \| users \| items \| records \| features \| records\/user \| records\/item \| words\/explanation \| sparsity \|/);
    expect(stats).toMatch(/5 splits/);
    const json = JSON.parse(await run(['data', 'stats', out, '--json'])) as { records: number; users: number; features: number; meanWords: number; sparsity: number; splits: unknown[] };
    expect(json.records).toBeGreaterThan(300);
    expect(json.features).toBeGreaterThan(10);
    expect(json.meanWords).toBeGreaterThan(4);
    expect(json.sparsity).toBeGreaterThan(0.9);
    expect(json.splits).toHaveLength(5);
  });

  it('stats of the bundled default', async () => {
    const json = JSON.parse(await run(['data', 'stats', 'default', '--json'])) as { records: number };
    expect(json.records).toBeGreaterThanOrEqual(5000);
  });

  it('a failing build writes nothing to --out', async () => {
    const dir = tmp();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"reviewerID": "A", "asin": "B", "overall": 5, "reviewText": "ok"}\nnot json\n');
    const out = join(dir, 'out');
    await expect(run(['data', 'build', '--reviews', bad, '--out', out])).rejects.toThrow(DataError);
    expect(existsSync(out)).toBe(false);
  });

  it('download offline is a NetworkError naming the import command; unknown datasets are refused', async () => {
    const dataDir = tmp();
    const err = await run(['--data-dir', dataDir, 'data', 'download', 'movielens-100k', '--url', 'http://127.0.0.1:59999/ml-100k.zip']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toContain('xrec data import movielens-100k --from');
    await expect(run(['data', 'import', 'imagenet', '--from', dataDir])).rejects.toThrow(/unknown dataset 'imagenet'/);
  });

  const ml = datasetForTest('movielens-100k');
  if (ml.skipReason) console.warn(ml.skipReason);
  it.skipIf(!ml.path)('import movielens-100k honours the global --data-dir', async () => {
    const dataDir = tmp();
    const out = await run(['--data-dir', dataDir, 'data', 'import', 'movielens-100k', '--from', ml.path as string]);
    expect(out).toContain(`written to ${join(dataDir, 'movielens-100k')}`);
    expect(existsSync(join(dataDir, 'movielens-100k', 'u.data'))).toBe(true);
  });
});
