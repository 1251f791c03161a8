import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
