import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@xrec/core';
import { initBackend } from './backend.js';
import { resolveTransformerConfig, type Arch } from './config.js';
import { TransformerLM } from './model.js';
import { train, type TrainBatch, type TrainerConfig } from './trainer.js';

beforeAll(async () => {
  await initBackend();
});

interface Batch extends TrainBatch {
  ids: Int32Array; // [B, T+1]
}

const B = 4;
const T = 8;

/** A learnable toy language: every sequence counts up modulo the vocabulary from a random start. */
function batches(n: number, rng: Rng, vocab: number): Batch[] {
  return Array.from({ length: n }, () => {
    const ids = new Int32Array(B * (T + 1));
    for (let r = 0; r < B; r++) {
      const s = rng.int(0, vocab - 1);
      for (let t = 0; t <= T; t++) ids[r * (T + 1) + t] = (s + t) % vocab;
    }
    return { size: B, tokens: B * T, ids };
  });
}

function lossFn(model: TransformerLM) {
  return (b: Batch, training: boolean, ctx: { seed: number }): tf.Scalar => {
    const all = tf.tensor2d(b.ids, [B, T + 1], 'int32');
    return model.loss({ ids: tf.slice(all, [0, 0], [B, T]) as tf.Tensor2D, labels: tf.slice(all, [0, 1], [B, T]) as tf.Tensor2D, training, dropoutSeed: ctx.seed });
  };
}

const tiny = (arch: Arch) => resolveTransformerConfig({ arch, vocabSize: 16, contextLength: T, dModel: 16, nLayers: 1, nHeads: 2, dropout: 0.1 });

describe.each(['gpt2', 'llama'] as const)('train() with TransformerLM (%s)', (arch) => {
  it('learns a toy language and a killed-then-resumed run ends with the same weights', async () => {
    const config: Partial<TrainerConfig> = { epochs: 4, lr: 1e-2, warmupSteps: 2, schedule: 'cosine', seed: 9, patience: 3 };
    const val = batches(2, new Rng(77), 16);
    const run = (model: TransformerLM, extra: Partial<TrainerConfig>, killAtStep?: number) =>
      train<Batch>({
        variables: model.trainableVariables(),
        lossFn: (b, training, ctx) => {
          if (training && ctx.step === killAtStep) throw new Error('killed');
          return lossFn(model)(b, training, ctx);
        },
        trainBatches: (_e, rng) => batches(6, rng, 16),
        valBatches: () => val,
        config: { ...config, ...extra },
      });
    const full = TransformerLM.create(tiny(arch), new Rng(1));
    const res = await run(full, { checkpointDir: mkdtempSync(join(tmpdir(), 'xrec-lm-')) });
    expect(res.epochs[3]!.trainLoss).toBeLessThan(res.epochs[0]!.trainLoss);
    expect(res.bestValLoss!).toBeLessThan(Math.log(16));

    const dir = mkdtempSync(join(tmpdir(), 'xrec-lm-'));
    const killed = TransformerLM.create(tiny(arch), new Rng(1));
    await expect(run(killed, { checkpointDir: dir }, 15)).rejects.toThrow('killed');
    killed.dispose();
    const resumed = TransformerLM.create(tiny(arch), new Rng(123));
    const res2 = await run(resumed, { checkpointDir: dir, resume: true });
    expect(res2.startEpoch).toBe(2);
    expect(res2.epochs.map((e) => e.valLoss)).toEqual(res.epochs.map((e) => expect.closeTo(e.valLoss!, 5)));
    const a = full.parameters();
    const b = resumed.parameters();
    let maxDiff = 0;
    for (const [name, v] of a) {
      const x = v.dataSync();
      const y = b.get(name)!.dataSync();
      for (let i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i]! - y[i]!));
    }
    expect(maxDiff).toBeLessThan(1e-5);
    full.dispose();
    resumed.dispose();
  });
});

describe('train() with TransformerLM: memory', () => {
  it('keeps tf.memory().numTensors flat over 300 updates of a tiny llama with dropout and validation', async () => {
    const model = TransformerLM.create(tiny('llama'), new Rng(2));
    const counts: number[] = [];
    await train<Batch>({
      variables: model.trainableVariables(),
      lossFn: lossFn(model),
      trainBatches: (_e, rng) => batches(100, rng, 16),
      valBatches: () => batches(2, new Rng(5), 16),
      config: { epochs: 3, lr: 1e-3, seed: 1 },
      onStep: (s) => {
        if (s.step % 100 === 50) counts.push(tf.memory().numTensors);
      },
    });
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
    model.dispose();
  });
});
