import { describe, it, expect, vi, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'bin.js');
const dir = mkdtempSync(join(tmpdir(), 'xrec-bench-explain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let errText = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    errText += String(s);
    return true;
  });
  try {
    return { code: await main(['node', 'xrec', ...argv]), out, err: errText };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}

describe('xrec bench explain / xrec explain', () => {
  it('runs the smoke profile and explains a pair with a saved model', async () => {
    const out = join(dir, 'smoke');
    const r = await run(['bench', 'explain', '--profile', 'smoke', '--methods', 'retrieval,pepler-mlp', '--jobs', '1', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('report.md');
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { runs: { method: string; generated: string; model?: string }[] };
    const mlp = report.runs.find((x) => x.method === 'pepler-mlp')!;
    const first = JSON.parse(readFileSync(join(out, mlp.generated), 'utf8').split('\n')[0]!) as { user: string; item: string; generated: string };
    const e = await run(['explain', '--model', join(out, mlp.model!), '--user', first.user, '--item', first.item, '--json']);
    expect(e.code).toBe(0);
    const j = JSON.parse(e.out) as { explanation: string; rating: number };
    expect(j.explanation).toBe(first.generated);
    expect(j.rating).toBeGreaterThanOrEqual(1);
    const bad = await run(['explain', '--model', join(out, mlp.model!), '--user', 'nobody', '--item', first.item]);
    expect(bad.code).toBe(2); // NotFoundError, printed as one line
  });

  it('report values agree with `xrec metrics explain` on each saved generated.jsonl', async () => {
    const out = join(dir, 'smoke');
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      dataset: { ratingRange: [number, number] };
      runs: { generated: string; metrics: Record<string, number> }[];
    };
    const [lo, hi] = report.dataset.ratingRange;
    for (const r of report.runs) {
      const m = await run(['metrics', 'explain', '--input', join(out, r.generated), '--features', join(out, 'features.txt'), '--min-rating', String(lo), '--max-rating', String(hi)]);
      expect(m.code).toBe(0);
      const cli = JSON.parse(m.out) as Record<string, number>;
      expect(Object.keys(cli).sort()).toEqual(Object.keys(r.metrics).sort());
      for (const [k, v] of Object.entries(cli)) expect(r.metrics[k]).toBeCloseTo(v, 9);
    }
  });

  it('rejects a bad profile and a bad method with a clear error', async () => {
    expect((await run(['bench', 'explain', '--profile', 'huge', '--out', join(dir, 'x')])).code).toBe(2);
    expect((await run(['bench', 'explain', '--methods', 'gpt5', '--out', join(dir, 'y')])).code).toBe(2);
    expect((await run(['bench', 'explain', '--splits', '0', '--out', join(dir, 'z')])).code).toBe(2);
    expect((await run(['bench', 'explain', '--profile', 'smoke', '--methods', 'retrieval', '--splits', '99', '--jobs', '1', '--out', join(dir, 'z')])).code).toBe(2);
  });

  it('--workers 1 trains each PEPLER run on two replicas: the ratings of the one-thread run, to float tolerance', async () => {
    const out = join(dir, 'workers1');
    const r = await run(['bench', 'explain', '--profile', 'smoke', '--methods', 'pepler-mlp', '--jobs', '1', '--workers', '1', '--out', out]);
    expect(r.code).toBe(0);
    const inv = readFileSync(join(out, 'invocations.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { workers?: number });
    expect(inv.at(-1)!.workers).toBe(1);
    expect(r.err).toContain('data-parallel over 2 replicas');
    const rows = (o: string) =>
      readFileSync(join(o, 'runs', 'pepler-mlp', 'split1-seed1', 'generated.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { predicted: number });
    const one = rows(join(dir, 'smoke'));
    const two = rows(out);
    expect(two).toHaveLength(one.length);
    expect(Math.max(...two.map((x, i) => Math.abs(x.predicted - one[i]!.predicted)))).toBeLessThan(1e-3);
    expect((await run(['bench', 'explain', '--workers', '-1', '--out', join(dir, 'z')])).code).toBe(2);
  });

  it('--splits runs the first n splits of the dataset, whatever the profile says', async () => {
    const out = join(dir, 'splits2');
    const r = await run(['bench', 'explain', '--profile', 'smoke', '--methods', 'retrieval', '--splits', '2', '--jobs', '1', '--out', out]);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { splits: { split: number }[]; runs: { split: number }[] };
    expect(report.splits.map((s) => s.split)).toEqual([1, 2]);
    expect(report.runs.map((x) => x.split)).toEqual([1, 2]);
  });

  it.skipIf(!existsSync(bin))('the built CLI runs runs in parallel worker processes (--jobs 2)', () => {
    const out = join(dir, 'jobs2');
    const p = spawnSync(process.execPath, [bin, 'bench', 'explain', '--profile', 'smoke', '--methods', 'retrieval,pepler,pepler-mf', '--jobs', '2', '--out', out], { encoding: 'utf8', timeout: 240_000 });
    expect(p.status, p.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { concurrency: number; runs: { method: string }[] };
    expect(report.concurrency).toBe(2);
    expect(report.runs.map((x) => x.method).sort()).toEqual(['pepler', 'pepler-mf', 'retrieval']);
  });
});
