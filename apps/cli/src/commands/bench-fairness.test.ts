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
    expect(rep.rows.map((x) => x.method)).toEqual(['P5 (no prompt, unfair)', 'CFP prompt: gender', 'CFP prompt: activity', 'Mixture: gender + activity']);
    for (const row of rep.rows) for (const a of ['gender', 'activity']) expect(row.auc[a]).toBeGreaterThanOrEqual(0);
    expect(rep.goals).toHaveLength(4); // one per single prompt, one per attribute the mixture hides
    const again = await run(args);
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/reusing the P5/);
    // the run's model answers `xrec up5 recommend`
    const users = JSON.parse(readFileSync(join(out, 'users.json'), 'utf8')) as { users: Record<string, { history: string[] }> };
    const user = Object.keys(users.users)[0]!;
    const rec = await run(['up5', 'recommend', '--model', out, '--user', user, '--hide', 'gender', '--k', '3', '--json']);
    expect(rec.code, rec.err).toBe(0);
    const got = JSON.parse(rec.out) as { plain: { item: string }[]; fair: { item: string }[]; hidden: string[]; attacker: Record<string, { without: number[]; with: number[] }> };
    expect(got.plain).toHaveLength(3);
    expect(got.hidden).toEqual(['gender']);
    expect(Object.keys(got.attacker)).toEqual(['gender', 'activity']);
    for (const p of Object.values(got.attacker)) expect(p.without.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
    const plainOnly = JSON.parse((await run(['up5', 'recommend', '--model', out, '--user', user, '--k', '3', '--json'])).out) as typeof got;
    expect(plainOnly.fair).toEqual(plainOnly.plain);
    expect(plainOnly.plain).toEqual(got.plain);
    expect((await run(['up5', 'recommend', '--model', out, '--user', 'nobody'])).err).toMatch(/user 'nobody' is not among the \d+ users/);
    expect((await run(['up5', 'recommend', '--model', out, '--user', user, '--hide', 'age'])).err).toMatch(/no prompt for attribute 'age'/);
    expect((await run(['up5', 'recommend', '--model', out, '--user', 'new', '--history', 'NOPE'])).err).toMatch(/unknown item 'NOPE' in the history/);
    expect((await run(['up5', 'recommend', '--model', dir, '--user', user])).err).toMatch(/users.json not found/);
    // the report's AUCs are recomputed exactly from the saved representations
    const audit = await run(['up5', 'audit', '--model', out, '--json']);
    expect(audit.code, audit.err).toBe(0);
    const rows = JSON.parse(audit.out) as { reported: number; recomputed: number }[];
    expect(rows).toHaveLength(4 * 2); // 4 rows × 2 attributes
    for (const x of rows) expect(x.recomputed).toBe(x.reported);
    expect((await run(['up5', 'recommend', '--help'])).out).toMatch(/xrec up5 recommend --model out\/fairness --user 1 --hide marital_status/);
  }, 300_000);
});
