import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, ConfigError, Rng, recordingProgress } from '@xrec/core';
import { initBackend } from './backend.js';
import { train, resolveTrainerConfig, type TrainBatch, type TrainerConfig } from './trainer.js';
import { TRAIN_STATE_FILE, readTrainState } from './train-checkpoint.js';

beforeAll(async () => {
  await initBackend();
});

/** A tiny MLP y = W2 · tanh(W1 x + b1) + b2 over named variables, with optional seeded dropout. */
class TinyMlp {
  readonly vars: Map<string, tf.Variable>;
  constructor(seed: number, readonly dIn = 4, readonly dHidden = 8) {
    const rng = new Rng(seed);
    const init = (shape: number[], scale: number) =>
      tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal(0, scale)), shape, 'float32');
    this.vars = new Map([
      ['mlp.fc1.weight', tf.variable(init([dIn, dHidden], 0.5))],
      ['mlp.fc1.bias', tf.variable(tf.zeros([dHidden]))],
      ['mlp.fc2.weight', tf.variable(init([dHidden, 1], 0.5))],
      ['mlp.fc2.bias', tf.variable(tf.zeros([1]))],
    ]);
  }
  forward(x: tf.Tensor2D, dropoutSeed?: number): tf.Tensor2D {
    const v = (n: string) => this.vars.get(n)!;
    let h = tf.tanh(tf.add(tf.matMul(x, v('mlp.fc1.weight')), v('mlp.fc1.bias'))) as tf.Tensor2D;
    if (dropoutSeed !== undefined) h = tf.dropout(h, 0.1, undefined, dropoutSeed) as tf.Tensor2D;
    return tf.add(tf.matMul(h, v('mlp.fc2.weight')), v('mlp.fc2.bias')) as tf.Tensor2D;
  }
  values(): Map<string, Float32Array> {
    return new Map([...this.vars].map(([n, v]) => [n, v.dataSync() as Float32Array]));
  }
  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }
}

interface Batch extends TrainBatch {
  x: number[][];
  y: number[];
}

/** Regression data y = sin(x·a) from a fixed seed. */
function makeData(n: number, seed: number, dIn = 4): { x: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const a = Array.from({ length: dIn }, () => rng.normal());
  const x = Array.from({ length: n }, () => Array.from({ length: dIn }, () => rng.normal()));
  const y = x.map((r) => Math.sin(r.reduce((s, xi, i) => s + xi * a[i]!, 0)));
  return { x, y };
}

function batcher(data: { x: number[][]; y: number[] }, batchSize: number) {
  return (_epoch: number, rng: Rng): Batch[] => {
    const order = rng.permutation(data.y.length);
    const out: Batch[] = [];
    for (let i = 0; i < order.length; i += batchSize) {
      const idx = order.slice(i, i + batchSize);
      out.push({ size: idx.length, x: idx.map((j) => data.x[j]!), y: idx.map((j) => data.y[j]!) });
    }
    return out;
  };
}

function mseLoss(model: TinyMlp, dropout: boolean) {
  return (b: Batch, training: boolean, ctx: { seed: number }): tf.Scalar => {
    const pred = model.forward(tf.tensor2d(b.x), training && dropout ? ctx.seed : undefined);
    return tf.losses.meanSquaredError(tf.tensor2d(b.y, [b.y.length, 1]), pred) as tf.Scalar;
  };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'xrec-trainer-'));

describe('train', () => {
  it('fits a tiny MLP: loss falls, logs JSON lines and reports progress with loss, lr and tokens/s', async () => {
    const model = new TinyMlp(1);
    const data = makeData(256, 7);
    const dir = tmp();
    const logFile = join(dir, 'log.jsonl');
    const progress = recordingProgress();
    const res = await train({
      variables: model.vars,
      lossFn: mseLoss(model, false),
      trainBatches: batcher(data, 32),
      valBatches: () => batcher(makeData(64, 8), 64)(0, new Rng(0)),
      config: { epochs: 6, lr: 0.02, warmupSteps: 4, schedule: 'cosine', logFile, logEvery: 4, seed: 3 },
      progress,
      label: 'mlp',
    });
    expect(res.epochs).toHaveLength(6);
    expect(res.epochs[5]!.trainLoss).toBeLessThan(res.epochs[0]!.trainLoss * 0.7);
    expect(res.steps).toBe(48);
    expect(res.tokensPerSecond).toBeGreaterThan(0);
    expect(res.bestValLoss).toBeDefined();
    expect(res.restoredBest).toBe(false); // no patience: no early stopping, weights kept as trained
    const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const steps = lines.filter((l) => l.type === 'step');
    const epochs = lines.filter((l) => l.type === 'epoch');
    expect(steps).toHaveLength(12);
    expect(epochs).toHaveLength(6);
    for (const k of ['epoch', 'step', 'loss', 'lr', 'tokens_per_s']) expect(steps[0]).toHaveProperty(k);
    expect(typeof epochs[0]!.val_loss).toBe('number');
    // Warm-up then cosine: lr rises over the first 4 steps, ends near 0.
    expect(steps[0]!.lr).toBeCloseTo(0.02, 8);
    const ticks = progress.events.filter((e) => e.kind === 'tick');
    expect(ticks).toHaveLength(48);
    expect(ticks[0]!.info).toHaveProperty('loss');
    expect(ticks[0]!.info).toHaveProperty('lr');
    expect(ticks[0]!.info).toHaveProperty('tok/s');
    expect(progress.events.find((e) => e.kind === 'start')!.label).toMatch(/^mlp epoch 1\/6/);
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat over 2000 steps', async () => {
    const model = new TinyMlp(2, 2, 4);
    const data = makeData(8, 1, 2);
    let after10 = -1;
    let after1010 = -1;
    let last = -1;
    await train({
      variables: model.vars,
      lossFn: mseLoss(model, true),
      trainBatches: () => Array.from({ length: 1000 }, () => ({ size: 8, x: data.x, y: data.y })),
      valBatches: () => [{ size: 8, x: data.x, y: data.y }],
      config: { epochs: 2, lr: 1e-3, patience: 5, seed: 1 },
      onStep: (s) => {
        if (s.step === 10) after10 = tf.memory().numTensors;
        if (s.step === 1010) after1010 = tf.memory().numTensors;
        last = tf.memory().numTensors;
      },
    });
    expect(after10).toBeGreaterThan(0);
    // Epoch 2 holds one extra copy of the 4 variables: the best-validation weights of epoch 1.
    expect(after1010).toBe(after10 + 4);
    expect(last).toBe(after1010);
    model.dispose();
  });

  it('resume after a kill reproduces the uninterrupted run (weights, logs, with dropout and shuffling)', async () => {
    const data = makeData(96, 11);
    const val = makeData(32, 12);
    const config: Partial<TrainerConfig> = { epochs: 5, lr: 0.01, warmupSteps: 3, schedule: 'linear', clipNorm: 0.5, weightDecay: 0.05, seed: 42, patience: 10 };
    const run = async (model: TinyMlp, extra: Partial<TrainerConfig>, killAtStep?: number) =>
      train({
        variables: model.vars,
        lossFn: (b: Batch, training: boolean, ctx: { seed: number; step: number }) => {
          if (training && ctx.step === killAtStep) throw new Error('killed');
          return mseLoss(model, true)(b, training, ctx);
        },
        trainBatches: batcher(data, 16),
        valBatches: () => [{ size: 32, x: val.x, y: val.y }],
        config: { ...config, ...extra },
      });

    const full = new TinyMlp(5);
    const dirFull = tmp();
    const resFull = await run(full, { checkpointDir: dirFull });
    const expected = full.values();

    // Killed in the middle of epoch 3 (6 updates per epoch; update 15 never finishes).
    const dir = tmp();
    const logFile = join(dir, 'log.jsonl');
    const first = new TinyMlp(5);
    await expect(run(first, { checkpointDir: dir, logFile, logEvery: 1 }, 14)).rejects.toThrow('killed');
    first.dispose();
    expect(readFileSync(logFile, 'utf8')).toContain('"step":14,');
    expect(readTrainState(dir).epoch).toBe(1);
    expect(readTrainState(dir).step).toBe(12);

    const resumed = new TinyMlp(999); // different init: everything must come from the checkpoint
    const res = await run(resumed, { checkpointDir: dir, logFile, logEvery: 1, resume: true });
    expect(res.startEpoch).toBe(2);
    expect(res.steps).toBe(resFull.steps);
    expect(res.epochs.map((e) => e.trainLoss)).toEqual(resFull.epochs.map((e) => expect.closeTo(e.trainLoss, 6)));
    expect(res.bestEpoch).toBe(resFull.bestEpoch);
    for (const [name, want] of expected) {
      const got = resumed.values().get(name)!;
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-6);
    }
    const steps = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number });
    expect(steps.filter((s) => s.type === 'step').map((s) => s.step)).toEqual(Array.from({ length: res.steps }, (_, i) => i + 1));
    // Only the committed files remain.
    expect(readdirSync(dir).filter((f) => f.endsWith('.safetensors')).length).toBeLessThanOrEqual(2);
    full.dispose();
    resumed.dispose();
  });

  it('early stopping restores the best-validation weights', async () => {
    // Training pulls w toward 3; validation prefers w = 0.5, so val loss improves, then worsens.
    const w = tf.variable(tf.scalar(0), true, 'es_w');
    const vars = new Map([['w', w]]);
    const weightsAtEpoch: number[] = [];
    const res = await train<TrainBatch & { val?: boolean }>({
      variables: vars,
      lossFn: (b) => tf.square(tf.sub(w, b.val ? 0.5 : 3)) as tf.Scalar,
      trainBatches: () => Array.from({ length: 5 }, () => ({ size: 1 })),
      valBatches: () => [{ size: 1, val: true }],
      config: { epochs: 50, lr: 0.05, schedule: 'constant', clipNorm: 0, weightDecay: 0, patience: 2, seed: 0 },
      onEpochEnd: () => {
        weightsAtEpoch.push(w.dataSync()[0]!);
      },
    });
    expect(res.stoppedEarly).toBe(true);
    expect(res.restoredBest).toBe(true);
    expect(res.epochs.length).toBe(res.bestEpoch! + 3);
    expect(w.dataSync()[0]).toBeCloseTo(weightsAtEpoch[res.bestEpoch!]!, 6);
    expect(res.bestValLoss).toBeCloseTo((weightsAtEpoch[res.bestEpoch!]! - 0.5) ** 2, 5);
    w.dispose();
  });

  it('a new stage with a different trainable set starts fresh optimizer state', async () => {
    const a = tf.variable(tf.zeros([3]), true, 'stage_a');
    const b = tf.variable(tf.zeros([3]), true, 'stage_b');
    const target = tf.tensor1d([1, -2, 3]);
    const loss = () => tf.add(tf.sum(tf.square(tf.sub(a, target))), tf.sum(tf.square(tf.sub(b, target)))) as tf.Scalar;
    const cfg = { epochs: 1, lr: 0.1, schedule: 'constant' as const, clipNorm: 0, weightDecay: 0, seed: 0 };
    // Stage 1: only b, for many steps (its moments grow large).
    await train({ variables: new Map([['b', b]]), lossFn: loss, trainBatches: () => Array.from({ length: 20 }, () => ({ size: 1 })), config: cfg });
    const b1 = Array.from(b.dataSync());
    // Stage 2: a and b, a single step. Fresh Adam moves every coordinate by ≈ lr on its first update.
    await train({ variables: new Map([['a', a], ['b', b]]), lossFn: loss, trainBatches: () => [{ size: 1 }], config: cfg });
    Array.from(a.dataSync()).forEach((x, i) => {
      expect(Math.abs(x)).toBeCloseTo(0.1, 4);
      expect(Math.sign(x)).toBe(Math.sign([1, -2, 3][i]!));
    });
    Array.from(b.dataSync()).forEach((x, i) => expect(Math.abs(x - b1[i]!)).toBeCloseTo(0.1, 4));
    a.dispose();
    b.dispose();
    target.dispose();
  });

  it('rejects a checkpoint of another trainable set, a wrong format and bad configs', async () => {
    const dir = tmp();
    const x = tf.variable(tf.ones([2]), true, 'ck_x');
    const y = tf.variable(tf.ones([2]), true, 'ck_y');
    const cfg = { epochs: 1, lr: 0.1, seed: 0, checkpointDir: dir };
    await train({ variables: new Map([['x', x]]), lossFn: () => tf.sum(tf.square(x)) as tf.Scalar, trainBatches: () => [{ size: 1 }], config: cfg });
    expect(existsSync(join(dir, TRAIN_STATE_FILE))).toBe(true);
    await expect(
      train({ variables: new Map([['y', y]]), lossFn: () => tf.sum(tf.square(y)) as tf.Scalar, trainBatches: () => [{ size: 1 }], config: { ...cfg, epochs: 2, resume: true } }),
    ).rejects.toThrow(/not in checkpoint: y; only in checkpoint: x/);
    await expect(
      train({ variables: new Map([['x', x]]), lossFn: () => tf.sum(tf.square(x)) as tf.Scalar, trainBatches: () => [{ size: 1 }], config: { ...cfg, epochs: 2, resume: true, seed: 5 } }),
    ).rejects.toThrow(/seed 0/);
    const statePath = join(dir, TRAIN_STATE_FILE);
    const st = JSON.parse(readFileSync(statePath, 'utf8')) as Record<string, unknown>;
    writeFileSync(statePath, JSON.stringify({ ...st, format_version: 99 }));
    await expect(
      train({ variables: new Map([['x', x]]), lossFn: () => tf.sum(tf.square(x)) as tf.Scalar, trainBatches: () => [{ size: 1 }], config: { ...cfg, epochs: 2, resume: true } }),
    ).rejects.toThrow(CheckpointError);
    expect(() => resolveTrainerConfig({ epochs: 0 })).toThrow(/epochs/);
    expect(() => resolveTrainerConfig({ betas: [0.9, 1] })).toThrow(/betas/);
    expect(() => resolveTrainerConfig({ resume: true })).toThrow(/checkpointDir/);
    x.trainable = false;
    await expect(train({ variables: new Map([['x', x]]), lossFn: () => tf.sum(x) as tf.Scalar, trainBatches: () => [{ size: 1 }], config: {} })).rejects.toThrow(ConfigError);
    x.dispose();
    y.dispose();
  });
});

describe('train (edge cases)', () => {
  it('rejects empty epochs and batches without examples', async () => {
    const x = tf.variable(tf.ones([2]), true, 'edge_x');
    const lossFn = () => tf.sum(tf.square(x)) as tf.Scalar;
    await expect(train({ variables: new Map([['x', x]]), lossFn, trainBatches: () => [], config: {} })).rejects.toThrow(/no batches/);
    await expect(train({ variables: new Map([['x', x]]), lossFn, trainBatches: () => [{ size: 1 }, { size: 0 }], config: {} })).rejects.toThrow(/batch 1 of epoch 1 has size 0/);
    x.dispose();
  });

  it('extending a finished run with more epochs on resume continues training with a stretched schedule', async () => {
    const dir = tmp();
    const x = tf.variable(tf.tensor1d([2, -2]), true, 'ext_x');
    const opts = { variables: new Map([['x', x]]), lossFn: () => tf.sum(tf.square(x)) as tf.Scalar, trainBatches: () => Array.from({ length: 4 }, () => ({ size: 1 })) };
    const first = await train({ ...opts, config: { epochs: 2, lr: 0.1, checkpointDir: dir, seed: 0 } });
    expect(first.steps).toBe(8);
    const again = await train({ ...opts, config: { epochs: 2, lr: 0.1, checkpointDir: dir, seed: 0, resume: true } });
    expect(again.steps).toBe(8); // nothing left to do
    expect(again.epochs).toHaveLength(2);
    const more = await train({ ...opts, config: { epochs: 4, lr: 0.1, checkpointDir: dir, seed: 0, resume: true } });
    expect(more.startEpoch).toBe(2);
    expect(more.steps).toBe(16);
    expect(readTrainState(dir).totalSteps).toBe(16);
    expect(more.epochs[2]!.lr).toBeGreaterThan(0);
    x.dispose();
  });
});

describe('AdamW state lifetime', () => {
  it('creating and disposing an optimizer leaves no tensors behind', async () => {
    const { AdamW } = await import('./optim.js');
    const vars = new Map([['w', tf.variable(tf.ones([4, 3]))]]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) new AdamW(vars, { weightDecay: 1e-3 }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    vars.get('w')!.dispose();
  });
});
