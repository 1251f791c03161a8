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
    expect(bad.err).toMatch(/unknown attribute 'age' for insurance \(known: gender, marital_status, occupation, activity\)/);
    expect((await run(['bench', 'fairness', '--dataset', 'ml-1m', '--out', join(dir, 'bad')])).err).toMatch(/dataset must be insurance or ml-100k, got 'ml-1m'/);
    expect((await run(['bench', 'fairness', '--adversary', 'nope', '--out', join(dir, 'bad')])).err).toMatch(/adversary must be negative-ce or confusion or mmd, got 'nope'/);
    expect((await run(['bench', 'fairness', '--confusion-target', 'flat', '--out', join(dir, 'bad')])).err).toMatch(/confusionTarget must be prior or uniform, got 'flat'/);
    expect((await run(['bench', 'fairness', '--attributes', ',', '--out', join(dir, 'bad')])).err).toMatch(/no attribute given/);
    expect((await run(['bench', 'fairness', '--tokens', '0', '--out', join(dir, 'bad')])).err).toMatch(/tokens must be a positive integer/);
    expect((await run(['bench', 'fairness', '--workers', 'two', '--out', join(dir, 'bad')])).code).toBe(2);
    expect((await run(['bench', 'fairness', '--discriminator-lr', '0', '--out', join(dir, 'bad')])).err).toMatch(/discriminatorLr must be > 0, got 0/);
    expect((await run(['bench', 'fairness', '--mixture-keep', '-1', '--out', join(dir, 'bad')])).err).toMatch(/--mixture-keep: expected a number >= 0, got '-1'/);
    expect((await run(['bench', 'fairness', '--lr', 'fast', '--out', join(dir, 'bad')])).err).toMatch(/--lr: expected a number >= 0, got 'fast'/);
    expect((await run(['bench', 'fairness', '--mixture-lambda', 'x', '--out', join(dir, 'bad')])).err).toMatch(/--mixture-lambda: expected a number >= 0, got 'x'/);
    expect((await run(['bench', 'fairness', '--mixture-init', 'zeros', '--out', join(dir, 'bad')])).err).toMatch(/mixtureInit must be xavier or identity, got 'zeros'/);
  });

  const ins = datasetForTest('insurance-fairness');
  it.skipIf(!ins.path)(`smoke run: attacker AUCs in [0, 1] per attribute for the unfair P5 and each prompt; the saved P5 is reused ${ins.skipReason ?? ''}`, async () => {
    const out = join(dir, 'smoke');
    const args = ['bench', 'fairness', '--attributes', 'gender,activity', '--profile', 'smoke', '--out', out];
    const r = await run(args);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { rows: { method: string; auc: Record<string, number> }[]; goals: unknown[]; baselines: unknown[]; adversary: string; confusionTarget: string; dropout: number; lr: number; discriminatorLr: number; mixtureLr: number; mixtureInit: string; mixtureLambda: number; mixtureKeep: number };
    expect([rep.adversary, rep.confusionTarget, rep.dropout, rep.lr, rep.discriminatorLr, rep.mixtureLr, rep.mixtureInit, rep.mixtureLambda, rep.mixtureKeep]).toEqual(['mmd', 'prior', 0, 3e-3, 3e-4, 1e-3, 'identity', 4, 0]);
    const methods = rep.rows.map((x) => x.method);
    expect(methods.slice(0, 4)).toEqual(['P5 (no prompt, unfair)', 'CFP prompt: gender', 'CFP prompt: activity', 'Mixture: gender + activity']);
    expect(methods.slice(4).map((m) => m.replace(/\d+ directions/, 'k directions'))).toEqual(['Concatenated prompts: gender + activity', 'Adversarial fine-tuning: gender', 'Linear projection (INLP, k directions): gender', 'Adversarial fine-tuning: activity', 'Linear projection (INLP, k directions): activity']);
    for (const row of rep.rows) for (const a of ['gender', 'activity']) expect(row.auc[a]).toBeGreaterThanOrEqual(0);
    expect(rep.goals).toHaveLength(4); // one per single prompt, one per attribute the mixture hides
    expect(rep.baselines).toHaveLength(6); // the concatenated prompts (both attributes), two baselines per attribute
    const again = await run(args);
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/reusing the P5/);
    // a P5 trained with other settings (another seed) is not reused under this run's report
    const other = await run([...args, '--seed', '7']);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/holds a P5 trained with other settings .*"seed":0.*"seed":7/);
    const dropout = await run([...args, '--dropout', '0.1']); // nor one trained at another dropout
    expect(dropout.code).toBe(2);
    expect(dropout.err).toMatch(/holds a P5 trained with other settings .*"dropout":0,.*"dropout":0\.1,/);
    const bad = await run([...args, '--dropout', '1']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/dropout must be a number in \[0, 1\), got 1/);
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
    expect(rows).toHaveLength(9 * 2); // 9 rows × 2 attributes
    for (const x of rows) expect(x.recomputed).toBe(x.reported);
    expect((await run(['up5', 'recommend', '--help'])).out).toMatch(/xrec up5 recommend --model out\/fairness --user 1 --hide marital_status/);
  }, 300_000);

  const ml = datasetForTest('movielens-100k');
  it.skipIf(!ml.path)(`MovieLens-100K smoke run: a multi-class attribute (7 age bins) gets a macro one-vs-one AUC; class names are saved with the prompts ${ml.skipReason ?? ''}`, async () => {
    const out = join(dir, 'ml-smoke');
    const r = await run(['bench', 'fairness', '--dataset', 'ml-100k', '--attributes', 'gender,age', '--profile', 'smoke', '--no-mixture', '--no-baselines', '--workers', '1', '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/cfp gender: data-parallel over 2 replicas/); // --workers 1: the prompts (and the P5) train on two replicas
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { dataset: string; classes: Record<string, number>; rows: { method: string; auc: Record<string, number>; hardAuc: Record<string, number> }[] };
    expect(rep.dataset).toBe('ml-100k');
    expect(rep.classes).toEqual({ gender: 2, age: 7 });
    expect(rep.rows.map((x) => x.method)).toEqual(['P5 (no prompt, unfair)', 'CFP prompt: gender', 'CFP prompt: age']);
    for (const row of rep.rows) {
      for (const a of ['gender', 'age']) expect(row.auc[a]).toBeGreaterThan(0);
      expect(Object.keys(row.hardAuc)).toEqual(['gender']); // the hard-prediction AUC is for binary attributes
    }
    const up5 = JSON.parse(readFileSync(join(out, 'up5.json'), 'utf8')) as { attributes: { attribute: string; labels?: string[] }[] };
    expect(up5.attributes.find((a) => a.attribute === 'age')!.labels).toEqual(['under 18', '18-24', '25-34', '35-44', '45-49', '50-55', '56+']);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/MovieLens-100K, sequential \(leave-one-out\)/);
  }, 300_000);
});
