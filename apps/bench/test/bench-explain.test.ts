import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingProgress, silentProgress, type Progress } from '@xrec/core';
import { explanationMetrics, type ExplanationRow } from '@xrec/metrics';
import { explainPair, PROFILES, runBenchExplain, type BenchExplainResult, type BenchProfile } from '../src/index.js';

const out = mkdtempSync(join(tmpdir(), 'bench-explain-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('xrec bench explain (smoke profile, bundled default dataset)', () => {
  let first: BenchExplainResult;

  it('runs every method end to end and writes the report', { timeout: 600_000 }, async () => {
    const progress = recordingProgress();
    first = await runBenchExplain({ dataset: 'default', profile: 'smoke', out, progress });
    for (const f of ['report.json', 'report.md', 'val-loss.svg', 'metrics.svg', 'val-loss-rating.svg', 'features.txt']) expect(existsSync(join(out, f))).toBe(true);
    const methods = new Set(first.runs.map((r) => r.method));
    for (const m of ['retrieval', 'pepler-d', 'pepler', 'pepler-lora', 'pepler-mf', 'pepler-mlp', 'pepler-nopretrain']) expect(methods.has(m as never)).toBe(true);
    expect(progress.events.some((e) => e.kind === 'tick')).toBe(true);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('| PEPLER-MF |');
    expect(readFileSync(join(out, 'val-loss.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    const mf = first.runs.find((r) => r.method === 'pepler-mf')!;
    expect(mf.metrics.rmse).toBeGreaterThan(0);
    expect(first.runs.find((r) => r.method === 'pepler')!.metrics.rmse).toBeUndefined();
  });

  it('report values agree with @xrec/metrics on the saved generated.jsonl', () => {
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as BenchExplainResult;
    const features = readFileSync(join(out, 'features.txt'), 'utf8').split('\n').filter((l) => l !== '');
    for (const run of report.runs) {
      const rows = readFileSync(join(out, run.generated), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ExplanationRow & { user: string });
      expect(rows).toHaveLength(run.testRows);
      expect(typeof rows[0]!.user).toBe('string');
      const m = explanationMetrics(rows, { features, minRating: report.dataset.ratingRange[0], maxRating: report.dataset.ratingRange[1] });
      for (const [k, v] of Object.entries(m)) expect((run.metrics as unknown as Record<string, number>)[k]).toBeCloseTo(v, 9);
    }
  });

  it('re-running reuses finished runs', async () => {
    const t0 = Date.now();
    const again = await runBenchExplain({ dataset: 'default', profile: 'smoke', out, methods: 'retrieval,pepler-mf' });
    expect(Date.now() - t0).toBeLessThan(30_000);
    const mf = again.runs.find((r) => r.method === 'pepler-mf')!;
    expect(mf.finishedAt).toBe(first.runs.find((r) => r.method === 'pepler-mf')!.finishedAt);
  });

  it('a saved model explains a pair and predicts a rating', async () => {
    const mf = first.runs.find((r) => r.method === 'pepler-mf')!;
    const line = JSON.parse(readFileSync(join(out, mf.generated), 'utf8').split('\n')[0]!) as { user: string; item: string; generated: string };
    const r = await explainPair(join(out, mf.model!), line.user, line.item);
    expect(r.explanation).toBe(line.generated);
    expect(r.rating).toBeGreaterThanOrEqual(first.dataset.ratingRange[0]);
    await expect(explainPair(join(out, mf.model!), 'no-such-user', line.item)).rejects.toThrow(/not seen in training/);
  });
});

describe('xrec bench explain: an interrupted run resumes from its checkpoint', () => {
  it('a run killed after its second epoch ends as the uninterrupted run, with the time of both segments', { timeout: 600_000 }, async () => {
    const profile: BenchProfile = { ...PROFILES.smoke, pepler: { ...PROFILES.smoke.pepler, epochs: 3 } };
    const whole = await runBenchExplain({ dataset: 'default', profile, out: join(out, 'whole'), methods: 'pepler-mlp' });
    const dir = join(out, 'killed');
    // a progress sink that "kills" the run when epoch 3 starts (epochs 1 and 2 are checkpointed)
    const killer: Progress = {
      ...silentProgress,
      log: (line: string) => {
        if (/pepler-mlp joint epoch 2:/.test(line)) throw new Error('killed');
      },
    };
    await expect(runBenchExplain({ dataset: 'default', profile, out: dir, methods: 'pepler-mlp', progress: killer })).rejects.toThrow('killed');
    expect(existsSync(join(dir, 'runs', 'pepler-mlp', 'split1-seed1', 'checkpoint', 'trainer'))).toBe(true);
    const resumed = await runBenchExplain({ dataset: 'default', profile, out: dir, methods: 'pepler-mlp' });
    const [a, b] = [whole.runs[0]!, resumed.runs[0]!];
    expect(readFileSync(join(dir, b.generated), 'utf8')).toBe(readFileSync(join(out, 'whole', a.generated), 'utf8'));
    expect(b.epochs).toEqual(a.epochs);
    expect(b.timings.segments).toBe(2);
    expect(a.timings.segments).toBeUndefined();
    expect(existsSync(join(dir, 'runs', 'pepler-mlp', 'split1-seed1', 'checkpoint'))).toBe(false);
  });
});
