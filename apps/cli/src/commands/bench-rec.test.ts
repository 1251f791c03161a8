import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetForTest } from '@xrec/core';
import { runCli as run } from '../../test/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'xrec-bench-rec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('xrec bench rec', () => {
  it('--help shows examples; bad options are clear errors', async () => {
    const h = await run(['bench', 'rec', '--help']);
    expect(h.out).toMatch(/xrec bench rec --dataset insurance --task sequential --profile quick/);
    const bad = await run(['bench', 'rec', '--task', 'rating', '--out', join(dir, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/task must be sequential or direct, got 'rating'/);
    const seed = await run(['bench', 'rec', '--seed', 'x', '--out', join(dir, 'bad')]);
    expect(seed.err).toMatch(/seed must be a non-negative integer/);
    // a bad method name fails before any data is read (here there is none to read)
    const typo = await run(['--data-dir', join(dir, 'no-data'), 'bench', 'rec', '--methods', 'p5,sasrec', '--out', join(dir, 'bad')]);
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/methods must be a non-empty list of popularity, bpr-mf, p5, p5-whole-word, p5-item-tokens/);
  });

  const ins = datasetForTest('insurance-fairness');
  it.skipIf(!ins.path)(`smoke run on Insurance (sequential): a report with every method, valid metrics, then reuse of the finished runs ${ins.skipReason ?? ''}`, async () => {
    const out = join(dir, 'ins');
    const r = await run(['bench', 'rec', '--dataset', 'insurance', '--task', 'sequential', '--profile', 'smoke', '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { results: { method: string; metrics: Record<string, number> }[]; goals: unknown[] };
    expect(rep.results.map((x) => x.method)).toEqual(['popularity', 'BPR-MF', 'P5 (sub-word ids)', 'P5 (whole-word ids)', 'P5 (item-tokens ids)']);
    for (const x of rep.results) {
      for (const k of ['hit@1', 'hit@5', 'ndcg@10']) expect(x.metrics[k]).toBeGreaterThanOrEqual(0);
      expect(x.metrics['hit@10']).toBeGreaterThanOrEqual(x.metrics['hit@1']!);
    }
    expect(rep.goals.length).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/\| popularity \| 0\.\d{4} \|/);
    const again = await run(['bench', 'rec', '--dataset', 'insurance', '--task', 'sequential', '--profile', 'smoke', '--out', out]);
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/reusing .*p5-whole-word/);
  }, 300_000);

  it.skipIf(!ins.path)(`smoke run on Insurance (direct): beam and likelihood rankings of every P5, and a yes/no-prompt P5 ${ins.skipReason ?? ''}`, async () => {
    const out = join(dir, 'ins-direct');
    const r = await run(['bench', 'rec', '--dataset', 'insurance', '--task', 'direct', '--profile', 'smoke', '--out', out]);
    expect(r.code, r.err).toBe(0);
    type M = Record<string, number>;
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { results: { method: string; template?: string; metrics: M; likelihood?: M; top10Agreement?: number }[] };
    const p5 = rep.results.filter((x) => x.template === '5-8');
    expect(p5.map((x) => x.method)).toEqual(['P5 (sub-word ids)', 'P5 (whole-word ids)', 'P5 (item-tokens ids)']);
    for (const x of p5) {
      expect(x.top10Agreement).toBe(1); // beam search over the candidates = their log-likelihood order
      expect(x.likelihood!['hit@1']).toBe(x.metrics['hit@1']);
    }
    const yn = rep.results.find((x) => x.template === '5-1')!;
    expect(yn.method).toBe('P5 yes/no prompt (sub-word ids)');
    expect(yn.metrics['hit@10']).toBeGreaterThanOrEqual(yn.metrics['hit@1']!);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/\| P5 yes\/no prompt \(sub-word ids\) \(0\.\d\d M\) \| 0\.\d{4} \|/);
  }, 300_000);

  it.skipIf(!ins.path)(`--methods picks the trained models, --epochs, --examples, --embedding-lr-scale and --dropout override the profile ${ins.skipReason ?? ''}`, async () => {
    const out = join(dir, 'ins-picked');
    const r = await run(['bench', 'rec', '--dataset', 'insurance', '--task', 'sequential', '--profile', 'smoke', '--methods', 'p5-item-tokens', '--epochs', '2', '--examples', '100', '--embedding-lr-scale', '3', '--dropout', '0.2', '--out', out]);
    expect(r.code, r.err).toBe(0);
    type Rep = { results: { method: string }[]; p: { epochs: number; trainExamples: number; embeddingLrScale: number; dropout?: number } };
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Rep;
    expect(rep.results.map((x) => x.method)).toEqual(['popularity', 'BPR-MF', 'P5 (item-tokens ids)']);
    expect([rep.p.epochs, rep.p.trainExamples, rep.p.embeddingLrScale, rep.p.dropout]).toEqual([2, 100, 3, 0.2]);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/at most 2 epoch\(s\) of 100 examples/);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/the embedding tables ×3/);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/d_ff \d+, dropout 0.2;/);
    const plain = await run(['bench', 'rec', '--dataset', 'insurance', '--task', 'sequential', '--profile', 'smoke', '--methods', 'p5-item-tokens', '--epochs', '1', '--examples', '50', '--workers', '1', '--out', join(dir, 'ins-plain')]);
    expect(plain.code, plain.err).toBe(0);
    expect(plain.err).toContain('data-parallel over 2 replicas'); // --workers 1: the P5 trains on two replicas
    const plainP = (JSON.parse(readFileSync(join(dir, 'ins-plain', 'report.json'), 'utf8')) as Rep).p;
    expect([plainP.embeddingLrScale, plainP.dropout]).toEqual([1, 0]); // Insurance's defaults
    const zero = await run(['bench', 'rec', '--dataset', 'insurance', '--profile', 'smoke', '--embedding-lr-scale', '0', '--out', out]);
    expect(zero.code).toBe(2);
    expect(zero.err).toMatch(/embeddingLrScale must be a positive number, got 0/);
    expect((await run(['bench', 'rec', '--dataset', 'insurance', '--profile', 'smoke', '--workers', 'two', '--out', out])).code).toBe(2);
    const drop = await run(['bench', 'rec', '--dataset', 'insurance', '--profile', 'smoke', '--dropout', '1', '--out', out]);
    expect(drop.code).toBe(2);
    expect(drop.err).toMatch(/dropout must be a number in \[0, 1\), got 1/);
    const negs = await run(['bench', 'rec', '--dataset', 'insurance', '--task', 'direct', '--profile', 'smoke', '--train-negatives', '3', '--out', out]);
    expect(negs.code).toBe(2);
    expect(negs.err).toMatch(/trainNegatives is for MovieLens direct/);
    const bad = await run(['bench', 'rec', '--dataset', 'insurance', '--profile', 'smoke', '--methods', 'p5,sasrec', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/methods must be a non-empty list of popularity, bpr-mf, p5, p5-whole-word, p5-item-tokens \(for this dataset and task\), got \["p5","sasrec"\]/);
  }, 300_000);

  const ml = datasetForTest('movielens-100k');
  it.skipIf(!ml.path)(`MovieLens direct: training prompts list --train-negatives fresh negatives, the test prompts 99 ${ml.skipReason ?? ''}`, async () => {
    const out = join(dir, 'ml-direct');
    const r = await run(['bench', 'rec', '--dataset', 'ml-100k', '--task', 'direct', '--profile', 'smoke', '--methods', 'p5-item-tokens', '--examples', '100', '--train-negatives', '4', '--out', out]);
    expect(r.code, r.err).toBe(0);
    type M = Record<string, number>;
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { p: { trainNegatives: number }; results: { method: string; metrics: M; likelihood?: M; userCheck?: { examples: number; own: M; shuffled: M } }[] };
    expect(rep.p.trainNegatives).toBe(4);
    // the user-shuffle check: its own-user half is the likelihood ranking of the same (first 60 = all) test prompts
    const p5 = rep.results.find((x) => x.method === 'P5 (item-tokens ids)')!;
    expect(p5.userCheck!.examples).toBe(60);
    expect(p5.userCheck!.own['hit@10']).toBe(p5.likelihood!['hit@10']);
    expect(p5.userCheck!.shuffled['hit@10']).toBeGreaterThanOrEqual(0);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/Does the P5 use the user\? The first 60 test prompts[^]*\| P5 \(item-tokens ids\) \| 0\.\d{4} \| 0\.\d{4} \| 0\.\d{4} \| 0\.\d{4} \|/);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/Training prompts list the target and 4 negatives drawn anew every epoch \(validation and test prompts: the target and 99\)/);
    expect(p5.metrics['hit@10']).toBeGreaterThanOrEqual(0);
  }, 300_000);
});
