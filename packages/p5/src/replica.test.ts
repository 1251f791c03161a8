import { beforeAll, describe, expect, it } from 'vitest';
import { recordingProgress } from '@xrec/core';
import { againstSingleThread, initBackend } from '@xrec/transformer';
import { encodeExamples, p5Batches, p5Loss, P5Recommender, splitP5Batch, trainP5, trainP5Tokenizer, type RecExample } from './index.js';

// P5 over data-parallel replicas (the worker runs the compiled package: `pnpm build` first, as CI does).

const items = ['ka', 'lo', 'mu', 'ne', 'pi'];
// histories of different lengths, so the shards' padded lengths differ from the whole batch's
const examples: RecExample[] = Array.from({ length: 24 }, (_, k) => ({ user: String(k), history: items.slice(0, k % 5), target: items[(k * 3) % 5]!, candidates: [...items] }));
const tok = trainP5Tokenizer(examples.map((e) => `Given the following purchase history of user_${e.user} : ${items.join(' , ')} predict next possible item ${e.target}`), 300);
const make = () => P5Recommender.create(tok, items, { task: 'sequential', domain: 'movie', wholeWord: true }, { dModel: 16, nHeads: 2, nLayers: 1, dFF: 32, dropout: 0, wholeWordEmbeddings: 64 }, 4);

beforeAll(async () => {
  await initBackend();
});

describe('splitP5Batch', () => {
  it('shards partition the rows; their losses weighted by target tokens sum to the batch loss (each padded to its own length)', () => {
    const rec = make();
    try {
      const [batch] = p5Batches(encodeExamples(rec, examples.slice(0, 9)), 9);
      const shards = splitP5Batch(batch!, 3);
      expect(shards.map((s) => s.size).reduce((a, b) => a + b, 0)).toBe(9);
      expect(shards.flatMap((s) => s.rows)).toEqual(batch!.rows);
      expect(new Set(shards.map((s) => Math.max(...s.rows.map((r) => r.ids.length)))).size).toBeGreaterThan(1);
      const value = (b: typeof batch) => {
        const l = p5Loss(rec, b!, false, 0);
        const v = l.dataSync()[0]!;
        l.dispose();
        return v;
      };
      const sum = shards.reduce((a, s) => a + value(s) * (s.tokens / batch!.tokens), 0);
      expect(sum).toBeCloseTo(value(batch), 5);
    } finally {
      rec.dispose();
    }
  });
});

describe('trainP5 over two data-parallel replicas', () => {
  it('follows the single-thread run (whole-word embeddings, embedding tables at 10x; replicas verified every update)', { timeout: 120_000 }, async () => {
    const run = async (workers: number) => {
      const rec = make();
      const progress = recordingProgress();
      try {
        await trainP5(rec, {
          train: examples,
          batchSize: 8,
          embeddingLrScale: 10,
          config: { epochs: 2, lr: 3e-3, warmupSteps: 0, schedule: 'constant', seed: 1 },
          progress,
          ...(workers > 0 ? { parallel: { workers, verifyEvery: 1 } } : {}),
        });
        const logs = progress.events.flatMap((e) => (e.kind === 'log' ? [e.label] : []));
        expect(logs.some((l) => l.includes('data-parallel over 2 replicas'))).toBe(workers > 0);
        return [...rec.model.parameters().values()].map((v) => v.dataSync().slice() as Float32Array);
      } finally {
        rec.dispose();
      }
    };
    const c = await againstSingleThread(run, (w) => w);
    expect(c.leakedTensors).toBe(0);
    expect(c.maxAbsDiff).toBeLessThan(1e-4);
  });

  it('rejects a bad worker count', async () => {
    const rec = make();
    await expect(trainP5(rec, { train: examples, parallel: { workers: 1.5 } })).rejects.toThrow(/parallel.workers/);
    rec.dispose();
  });
});
