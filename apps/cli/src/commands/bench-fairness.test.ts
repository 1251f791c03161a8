import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetForTest } from '@xrec/core';
import { runCli as run } from '../../test/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'xrec-bench-fairness-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('xrec bench fairness', () => {
  it('--help shows examples; bad options are clear errors', async () => {
    expect((await run(['bench', 'fairness', '--help'])).out).toMatch(/xrec bench fairness --profile quick --out out\/fairness/);
    const bad = await run(['bench', 'fairness', '--attributes', 'age', '--out', join(dir, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown attribute 'age'/);
    expect((await run(['bench', 'fairness', '--dataset', 'ml-100k', '--out', join(dir, 'bad')])).err).toMatch(/only 'insurance' is built so far/);
    expect((await run(['bench', 'fairness', '--tokens', '0', '--out', join(dir, 'bad')])).err).toMatch(/tokens must be a positive integer/);
  });

  const ins = datasetForTest('insurance-fairness');
  it.skipIf(!ins.path)(`smoke run: attacker AUCs in [0, 1] per attribute for the unfair P5 and each prompt; the saved P5 is reused ${ins.skipReason ?? ''}`, async () => {
    const out = join(dir, 'smoke');
    const args = ['bench', 'fairness', '--attributes', 'gender,activity', '--profile', 'smoke', '--out', out];
    const r = await run(args);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { rows: { method: string; auc: Record<string, number> }[]; goals: unknown[] };
    expect(rep.rows.map((x) => x.method)).toEqual(['P5 (no prompt, unfair)', 'CFP prompt: gender', 'CFP prompt: activity']);
    for (const row of rep.rows) for (const a of ['gender', 'activity']) expect(row.auc[a]).toBeGreaterThanOrEqual(0);
    expect(rep.goals).toHaveLength(2);
    const again = await run(args);
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/reusing the P5/);
  }, 300_000);
});
