import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@xrec/core';
import { againstSingleThread, initBackend } from '@xrec/transformer';
import { encodeExamples, p5Batches, P5Recommender, p5Template, trainP5, trainP5Tokenizer, type RecExample } from '@xrec/p5';
import { adversarialLosses, Discriminator, encodeUserRows, FairPrefix, PromptMixture, splitCfpBatch, trainAdversarialP5, trainFairPrefix, trainPromptMixture, type CfpBatch } from './index.js';

// Data-parallel UP5 trainings (the workers run the compiled packages: `pnpm build` first, as CI does).

const items = ['ka', 'lo', 'mu', 'ne', 'po', 'ru'];
const make = (n: number, seed: number): RecExample[] =>
  Array.from({ length: n }, (_, k) => {
    const a = (k * 7 + seed) % 6;
    // histories of unequal length, so shards differ in tokens per user
    return { user: String(10 + (k % 13)), history: k % 3 === 0 ? [items[a]!] : [items[a]!, items[(a + 1) % 6]!, items[(a + 3) % 6]!], target: items[(a + 2) % 6]! };
  });
const labelOf = (u: string) => Number(u) % 2;

let rec: P5Recommender;
beforeAll(async () => {
  await initBackend();
  const train = make(120, 0);
  const t = p5Template('sequential', 'insurance');
  const tok = trainP5Tokenizer(train.flatMap((e) => [t.source(e), ` ${e.target}`]), 300);
  rec = P5Recommender.create(tok, items, { task: 'sequential', domain: 'insurance' }, { dModel: 32, nHeads: 2, nLayers: 1, dFF: 64, dropout: 0 }, 1);
  await trainP5(rec, { train, batchSize: 32, config: { epochs: 3, lr: 1e-2, warmupSteps: 5 } });
});

const weightsOf = (...maps: Map<string, tf.Variable>[]) => maps.flatMap((m) => [...m.values()].map((v) => Float32Array.from(v.dataSync())));

describe('UP5 over worker threads', () => {
  it('shards weighted by their tokens sum to the batch loss of both rules (per-user terms carry userWeight)', () => {
    const exs = make(10, 3);
    const [b] = p5Batches(encodeExamples(rec, exs), 10);
    const batch: CfpBatch = { ...b!, users: encodeUserRows(rec, exs), labels: exs.map((e) => labelOf(e.user)) };
    const prefix = FairPrefix.create('parity', rec.model.config, { tokens: 2, dropout: 0 }, new Rng(2));
    const disc = new Discriminator(32, 2, new Rng(5));
    const losses = adversarialLosses(rec, disc, { prefix: (x) => prefix.prefix(x), modelTraining: false }, 1, 'negative-ce');
    const shards = splitCfpBatch(batch, 3);
    expect(shards.map((s) => s.size).reduce((a, c) => a + c)).toBe(10);
    expect(new Set(shards.map((s) => s.userWeight)).size).toBeGreaterThan(1); // unequal tokens per user
    const value = (f: (x: CfpBatch) => tf.Scalar) => tf.tidy(() => f(batch).dataSync()[0]!);
    const summed = (f: (x: CfpBatch) => tf.Scalar) => tf.tidy(() => shards.reduce((a, s) => a + (f(s).dataSync()[0]! * s.tokens) / batch.tokens, 0));
    expect(summed((x) => losses.player(x, false, 0))).toBeCloseTo(value((x) => losses.player(x, false, 0)), 5);
    expect(summed(losses.discriminator)).toBeCloseTo(value(losses.discriminator), 5);
    prefix.dispose();
    disc.dispose();
  });

  it('a fair prompt trained over 2 replicas follows the single-thread run (both rules; replicas verified every update; confusion against a skewed prior)', async () => {
    const c = await againstSingleThread(
      async (workers) => {
        const prefix = FairPrefix.create('parity', rec.model.config, { tokens: 2, dropout: 0 }, new Rng(2));
        const disc = new Discriminator(32, 2, new Rng(5), 'disc');
        await trainFairPrefix(rec, prefix, disc, { train: make(64, 1), labelOf: (u) => (Number(u) % 3 === 0 ? 1 : 0), adversary: 'confusion', epochs: 1, batchSize: 16, lr: 1e-2, discriminatorSteps: 2, ...(workers > 0 ? { parallel: { workers, verifyEvery: 1 } } : {}) });
        const w = weightsOf(prefix.variables(), disc.variables());
        prefix.dispose();
        disc.dispose();
        return w;
      },
      (w) => w,
    );
    expect(c.leakedTensors).toBe(0);
    expect(c.maxAbsDiff).toBeLessThan(1e-4);
  });

  it('the prompt mixture (frozen prompts sent to the workers) follows the single-thread run', async () => {
    // skewed classes (about 1 : 3 and 1 : 2), so the confusion targets (the class priors) must reach the workers
    const labelOfAttr = (a: string, u: string) => (a === 'parity' ? Number(Number(u) % 4 === 0) : Number(Number(u) >= 18));
    const prompts = ['parity', 'upper'].map((a, i) => FairPrefix.create(a, rec.model.config, { tokens: 2, dropout: 0 }, new Rng(20 + i)));
    const c = await againstSingleThread(
      async (workers) => {
        const mixture = new PromptMixture(rec.model.config, { tokens: 2 }, new Rng(7));
        const discs = prompts.map((_, i) => new Discriminator(32, 2, new Rng(30 + i), 'disc'));
        await trainPromptMixture(rec, mixture, prompts, discs, { train: make(48, 3), labelOf: labelOfAttr, adversary: 'confusion', epochs: 1, batchSize: 16, lr: 1e-3, chooseProbability: 1, ...(workers > 0 ? { parallel: { workers, verifyEvery: 1 } } : {}) });
        const w = weightsOf(mixture.variables(), ...discs.map((d) => d.variables()));
        mixture.dispose();
        discs.forEach((d) => d.dispose());
        return w;
      },
      (w) => w,
    );
    prompts.forEach((p) => p.dispose());
    expect(c.leakedTensors).toBe(0);
    expect(c.maxAbsDiff).toBeLessThan(1e-4);
  });

  it('the adversarial fine-tuning baseline (every P5 weight) follows it too', async () => {
    const c = await againstSingleThread(
      async (workers) => {
        const dir = mkdtempSync(join(tmpdir(), 'xrec-up5-copy-'));
        await rec.save(dir);
        const copy = await P5Recommender.load(dir);
        rmSync(dir, { recursive: true, force: true });
        const disc = new Discriminator(32, 2, new Rng(5), 'disc');
        await trainAdversarialP5(copy, disc, { train: make(48, 2), labelOf, epochs: 1, batchSize: 16, lr: 1e-3, ...(workers > 0 ? { parallel: { workers, verifyEvery: 1 } } : {}) });
        const w = weightsOf(copy.model.parameters(), disc.variables());
        copy.model.dispose();
        disc.dispose();
        return w;
      },
      (w) => w,
    );
    expect(c.maxAbsDiff).toBeLessThan(1e-4);
  });
});
