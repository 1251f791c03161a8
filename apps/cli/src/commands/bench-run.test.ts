import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetForTest } from '@xrec/core';
import { benchTasks, registerBenchTask, unregisterBenchTask } from '@xrec/bench';
import { runCli as run } from '../../test/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'xrec-bench-run-'));
afterAll(() => {
  unregisterBenchTask('toy-rank');
  rmSync(dir, { recursive: true, force: true });
});

describe('xrec bench run: benchmark tasks from the registry', () => {
  it('a task registered from outside appears in the task list and runs with its options; no other file changes', async () => {
    // a whole (toy) task: a registry entry and a run function
    registerBenchTask({
      id: 'toy-rank',
      label: 'Toy ranking',
      description: 'ranks items by id length',
      metrics: ['hr@1'],
      async run(ctx) {
        const file = join(ctx.out, 'report.md');
        writeFileSync(file, `| method | hr@1 |\n|---|---|\n| by-length | ${ctx.options.k === 1 ? 1 : 0} |\n`);
        return { reportFiles: [file], summary: { methods: 1 } };
      },
    });
    expect(benchTasks().map((t) => t.id)).toEqual(expect.arrayContaining(['explain', 'toy-rank']));
    const help = await run(['bench', '--help']);
    expect(help.out).toMatch(/Tasks \(xrec bench run <task>\):\n {2}explain .*\n( {2}.*\n)* {2}toy-rank +Toy ranking: ranks items by id length/);
    const opts = join(dir, 'toy.json');
    writeFileSync(opts, JSON.stringify({ k: 1 }));
    const r = await run(['bench', 'run', 'toy-rank', '--out', dir, '--options', opts, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ task: 'toy-rank', methods: 1 });
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('| by-length | 1 |');
    expect((await run(['bench', 'run', 'nope', '--out', dir])).err).toMatch(/no task 'nope' \(tasks: explain, coldstart, rec, fairness, coldstart-explain, toy-rank\)/);
  });

  it('the explanation task runs through the same command (retrieval only, smoke profile)', async () => {
    const opts = join(dir, 'explain.json');
    writeFileSync(opts, JSON.stringify({ profile: 'smoke', methods: 'retrieval' }));
    const out = join(dir, 'explain');
    const r = await run(['bench', 'run', 'explain', '--out', out, '--options', opts, '--json']);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(out, 'report.md'))).toBe(true);
    writeFileSync(opts, JSON.stringify({ profil: 'smoke' }));
    expect((await run(['bench', 'run', 'explain', '--out', out, '--options', opts])).err).toMatch(/unknown option 'profil'/);
  });

  const ml = datasetForTest('movielens-100k');
  it.skipIf(!ml.path)(`the cold-start task (PromptRec on xrec-base) runs: smoke profile, one seed ${ml.skipReason ?? ''}`, async () => {
    const opts = join(dir, 'coldstart.json');
    writeFileSync(opts, JSON.stringify({ profile: 'smoke', seeds: [41905], fewShot: false }));
    const out = join(dir, 'coldstart');
    const r = await run(['bench', 'run', 'coldstart', '--out', out, '--options', opts, '--json']);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { summary: Record<string, { gauc: { mean: number }; ndcg10: { mean: number } }>; goals: { pass: boolean }[] };
    expect(Object.keys(report.summary).slice(0, 5)).toEqual(['random', 'popularity', 'logistic regression (profile features)', 'factorization machine (profile features)', 'profile cosine xrec-base']); // + xrec-base-mlm where shipped
    for (const m of Object.values(report.summary)) {
      expect(m.gauc.mean).toBeGreaterThan(0);
      expect(m.ndcg10.mean).toBeGreaterThan(0);
      expect(m.ndcg10.mean).toBeLessThanOrEqual(1);
    }
    expect(typeof report.goals[0]!.pass).toBe('boolean');
    // the finished seed is reused on a second run, with the same figures
    const again = await run(['bench', 'run', 'coldstart', '--out', out, '--options', opts, '--json']);
    expect(again.err).toMatch(/coldstart: reusing .*seed41905/);
    expect((JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as typeof report).summary).toEqual(report.summary);
  });
});
