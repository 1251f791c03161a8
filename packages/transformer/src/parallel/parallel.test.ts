import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng, StateError } from '@xrec/core';
import { initBackend } from '../backend.js';
import { nativeStatus } from '../native-kernels.js';
import { resolveTransformerConfig } from '../config.js';
import { splitLmBatch, type LmBatch } from '../lm-batch.js';
import { TransformerLM } from '../model.js';
import { train, type StepReport } from '../trainer.js';
import type { UpdateRule } from '../train-updater.js';
import { againstSingleThread } from './check.js';
import { autoWorkers } from './auto.js';
import { weightsChecksum } from './layout.js';
import { lmDataParallel } from './lm-replica.js';
import { lmLoss } from '../lm-batch.js';

// Data-parallel training over a worker thread (the worker runs the compiled package: `pnpm build` first, as CI does).

await initBackend();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const seq = 12;
const rng = new Rng(5);
const batches: LmBatch[] = Array.from({ length: 6 }, (_, i) => {
  const size = i === 5 ? 3 : 6; // a short last batch: shards of 2 and 1 rows
  return { size, tokens: size * seq, seq, ids: Int32Array.from({ length: size * (seq + 1) }, () => rng.int(0, 39)) };
});

async function run(o: { workers: number; dropout: number; epochs?: number; dir?: string; resume?: boolean; verifyEvery?: number; killAfterEpoch?: number; updates?: UpdateRule<LmBatch>[] }) {
  const config = resolveTransformerConfig({ arch: 'gpt2', vocabSize: 40, contextLength: 16, dModel: 32, nHeads: 2, nLayers: 2, dropout: o.dropout });
  const model = TransformerLM.create(config, new Rng(1));
  const steps: StepReport[] = [];
  try {
    await train<LmBatch>({
      variables: model.trainableVariables(),
      lossFn: (b, training, ctx) => lmLoss(model, b, training, ctx.seed),
      trainBatches: (_e, r) => r.shuffle([...batches]),
      config: { epochs: o.epochs ?? 1, lr: 3e-3, seed: 9, ...(o.dir ? { checkpointDir: o.dir, resume: o.resume ?? false } : {}) },
      ...(o.workers > 0 ? { parallel: { ...lmDataParallel(config, o.workers), ...(o.verifyEvery ? { verifyEvery: o.verifyEvery } : {}) } } : {}),
      ...(o.updates ? { updates: o.updates } : {}),
      onStep: (s) => steps.push(s),
      onEpochEnd: ({ epoch }) => {
        if (epoch === o.killAfterEpoch) throw new Error('killed');
      },
    });
    const weights = [...model.trainableVariables().values()].map((v) => v.dataSync().slice() as Float32Array);
    return { steps, weights };
  } finally {
    model.dispose();
  }
}

describe('data-parallel training over worker threads', () => {
  it('two replicas follow the single-thread run (dropout off: the summed shard gradients are the batch gradient)', async () => {
    const single = await run({ workers: 0, dropout: 0 });
    const before = tf.memory().numTensors;
    const threads = nativeStatus().threads;
    const dp = await run({ workers: 1, dropout: 0, verifyEvery: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(nativeStatus().threads).toBe(threads); // the BLAS thread count is put back
    expect(dp.steps.map((s) => s.exchangeSeconds! >= 0)).toEqual(dp.steps.map(() => true));
    dp.steps.forEach((s, i) => expect(Math.abs(s.loss - single.steps[i]!.loss)).toBeLessThan(1e-5 * Math.abs(single.steps[i]!.loss)));
    let worst = 0;
    dp.weights.forEach((w, k) => w.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - single.weights[k]![j]!)))));
    expect(worst).toBeLessThan(1e-5);
  });

  it('several update rules (own variables, optimizers and repeats) split over the replicas follow the single-thread run', async () => {
    // the embeddings twice per batch, the blocks every other batch (their AdamW states are separate)
    const updates: UpdateRule<LmBatch>[] = [
      { name: 'embeddings', variables: (n) => /wte|wpe/.test(n), repeat: 2 },
      { name: 'blocks', variables: (n) => !/wte|wpe/.test(n), repeat: (step) => (step % 2 === 0 ? 1 : 0) },
    ];
    const single = await run({ workers: 0, dropout: 0, updates });
    const before = tf.memory().numTensors;
    const dp = await run({ workers: 1, dropout: 0, verifyEvery: 1, updates });
    expect(tf.memory().numTensors).toBe(before);
    expect(dp.steps.map((s) => Object.keys(s.losses ?? {}).sort())).toEqual(single.steps.map((s) => Object.keys(s.losses ?? {}).sort()));
    expect(dp.steps[0]!.losses).toHaveProperty('blocks');
    dp.steps.forEach((s, i) => expect(Math.abs(s.loss - single.steps[i]!.loss)).toBeLessThan(1e-5 * Math.abs(single.steps[i]!.loss)));
    let worst = 0;
    let moved = 0;
    dp.weights.forEach((w, k) => w.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - single.weights[k]![j]!)))));
    const fresh = TransformerLM.create(resolveTransformerConfig({ arch: 'gpt2', vocabSize: 40, contextLength: 16, dModel: 32, nHeads: 2, nLayers: 2, dropout: 0 }), new Rng(1));
    const init = [...fresh.trainableVariables().values()].map((v) => v.dataSync());
    fresh.dispose();
    dp.weights.forEach((w, k) => w.forEach((x, j) => (moved = Math.max(moved, Math.abs(x - init[k]![j]!)))));
    expect(moved).toBeGreaterThan(1e-3);
    expect(worst).toBeLessThan(1e-5);
  });

  it.each([0, 1])('workers %i: with dropout on, replicas stay bit-identical to the trainer, and kill-and-resume gives the uninterrupted weights', async (workers) => {
    const whole = await run({ workers, dropout: 0.1, epochs: 2, verifyEvery: 2 });
    const dir = mkdtempSync(join(tmpdir(), 'xrec-dp-'));
    dirs.push(dir);
    await expect(run({ workers, dropout: 0.1, epochs: 2, dir, killAfterEpoch: 0 })).rejects.toThrow('killed'); // after the first checkpoint
    const resumed = await run({ workers, dropout: 0.1, epochs: 2, dir, resume: true });
    expect(resumed.steps.map((s) => s.loss)).toEqual(whole.steps.slice(6).map((s) => s.loss));
    resumed.weights.forEach((w, k) => expect(Buffer.from(w.buffer).equals(Buffer.from(whole.weights[k]!.buffer))).toBe(true));
  });

  it('a replica module without the named factory fails with a typed error naming it', async () => {
    const config = resolveTransformerConfig({ arch: 'gpt2', vocabSize: 40, contextLength: 16, dModel: 32, nHeads: 2, nLayers: 1 });
    const model = TransformerLM.create(config, new Rng(1));
    const parallel = { ...lmDataParallel(config, 1), replica: { ...lmDataParallel(config, 1).replica, exportName: 'noSuchFactory' } };
    await expect(
      train<LmBatch>({ variables: model.trainableVariables(), lossFn: (b, t) => lmLoss(model, b, t), trainBatches: () => batches, config: { epochs: 1 }, parallel }),
    ).rejects.toThrow(StateError);
    await expect(
      train<LmBatch>({ variables: model.trainableVariables(), lossFn: (b, t) => lmLoss(model, b, t), trainBatches: () => batches, config: { epochs: 1 }, parallel }),
    ).rejects.toThrow(/does not export a function 'noSuchFactory'/);
    model.dispose();
  });

  it('weightsChecksum sees a one-bit difference', () => {
    const a = tf.variable(tf.tensor1d([1, 2, 3]));
    const b = tf.variable(tf.tensor1d([1, 2, 3]));
    expect(weightsChecksum([a])).toBe(weightsChecksum([b]));
    const bits = new Float32Array([3]);
    new Uint32Array(bits.buffer)[0]! ^= 1;
    b.assign(tf.tensor1d([1, 2, bits[0]!]));
    expect(weightsChecksum([a])).not.toBe(weightsChecksum([b]));
    tf.dispose([a, b]);
  });

  it('splitLmBatch: near-equal shards of whole rows, in order, never empty', () => {
    const b = batches[0]!;
    const shards = splitLmBatch(b, 4);
    expect(shards.map((s) => s.size)).toEqual([2, 2, 1, 1]);
    expect(Array.from(new Int32Array(shards.flatMap((s) => Array.from(s.ids))))).toEqual(Array.from(b.ids));
    expect(splitLmBatch(batches[5]!, 8).map((s) => s.size)).toEqual([1, 1, 1]);
    expect(shards.reduce((a, s) => a + s.tokens!, 0)).toBe(b.tokens);
  });

  it('autoWorkers: one thread for tiny models and, with native kernels, for small updates', () => {
    expect(autoWorkers({ parameters: 50_000, batchRows: 64, tokensPerStep: 8192, native: false, cores: 2 })).toBe(0);
    expect(autoWorkers({ parameters: 1e6, batchRows: 16, tokensPerStep: 1024, native: true, cores: 2 })).toBe(0);
    expect(autoWorkers({ parameters: 1e6, batchRows: 64, tokensPerStep: 8192, native: true, cores: 2 })).toBe(1);
    expect(autoWorkers({ parameters: 1e6, batchRows: 16, tokensPerStep: 1024, native: false, cores: 4 })).toBe(3);
    expect(autoWorkers({ parameters: 1e6, batchRows: 1, tokensPerStep: 64, native: false, cores: 4 })).toBe(0);
    expect(autoWorkers({ parameters: 1e6, batchRows: 16, tokensPerStep: 1024, native: false, cores: 1 })).toBe(0);
  });
});

describe('againstSingleThread', () => {
  it('reports the largest weight difference and the tensors the parallel run left behind', async () => {
    let kept: tf.Tensor | undefined;
    const c = await againstSingleThread(
      async (workers) => {
        if (workers > 0) kept = tf.zeros([2]); // a "leak"
        return [Float32Array.from([1, 2, 3]), Float32Array.from([workers > 0 ? 4.5 : 4])];
      },
      (w) => w,
    );
    expect(c.maxAbsDiff).toBe(0.5);
    expect(c.leakedTensors).toBe(1);
    kept?.dispose();
    await expect(againstSingleThread(async (w) => [new Float32Array(w + 1)], (w) => w)).rejects.toThrow(/weight 0 has 1 values on one thread, 2 in parallel/);
  });
});
