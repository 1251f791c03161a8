import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetForTest } from '@xrec/core';
import { runCli as run } from '../../test/run-cli.js';
import { parseSeeds } from './bench-coldstart.js';

const dir = mkdtempSync(join(tmpdir(), 'xrec-bench-cs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('xrec bench coldstart', () => {
  it('--help shows examples; bad options are clear errors', async () => {
    const h = await run(['bench', 'coldstart', '--help']);
    expect(h.out).toMatch(/xrec bench coldstart --dataset coupon --protocol user --profile smoke/);
    expect(parseSeeds('1, 22,333')).toEqual([1, 22, 333]);
    expect(() => parseSeeds('1,x')).toThrow(/--seeds: expected comma-separated non-negative integers, got '1,x'/);
    const bad = await run(['bench', 'coldstart', '--protocol', 'session', '--out', join(dir, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/protocol must be system, user or item, got 'session'/);
    const ds = await run(['bench', 'coldstart', '--dataset', 'ml-1m', '--out', join(dir, 'bad')]);
    expect(ds.err).toMatch(/dataset must be ml-100k or coupon, got 'ml-1m'/);
  });
});

describe('xrec bench run coldstart-explain', () => {
  const xrec = datasetForTest('xrec-explanations');
  it.skipIf(!xrec.path)(`smoke: cold users' explanations from a profile prompt, an item-only prompt and retrieval ${xrec.skipReason ?? ''}`, async () => {
    const opts = join(dir, 'cse.json');
    writeFileSync(opts, JSON.stringify({ profile: 'smoke', dataset: 'yelp' }));
    const out = join(dir, 'cse');
    const r = await run(['bench', 'run', 'coldstart-explain', '--out', out, '--options', opts]);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { results: { method: string; metrics: Record<string, number>; examples: string[] }[] };
    expect(rep.results.map((x) => x.method.split(' ')[0])).toEqual(['retrieval', 'item-only', 'profile']);
    for (const x of rep.results) {
      expect(x.metrics.bleu1).toBeGreaterThan(0);
      expect(x.metrics.usr).toBeGreaterThan(0);
      expect(x.metrics.usr).toBeLessThanOrEqual(1);
      expect(x.examples[0]!.length).toBeGreaterThan(0);
    }
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/Check: the profile prompt beats the item-only prompt on ROUGE-L: \*\*(PASS|FAIL)\*\*/);
    writeFileSync(opts, JSON.stringify({ profile: 'smoke', dataset: 'imdb' }));
    expect((await run(['bench', 'run', 'coldstart-explain', '--out', out, '--options', opts])).err).toMatch(/dataset must be amazon, yelp, google, got 'imdb'/);
  }, 300_000);
});
