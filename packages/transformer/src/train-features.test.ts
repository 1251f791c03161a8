import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@xrec/core';
import { initBackend } from './backend.js';
import { trainStages } from './train-stages.js';
import { resolveTrainerConfig, train, type StepReport, type TrainBatch } from './trainer.js';

// Parameter groups, several objectives per step, early stopping on a metric, sequential stages, and the
// config resolver's refusal of unknown fields — on small quadratic problems with known answers.

await initBackend();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const batches: TrainBatch[] = Array.from({ length: 4 }, () => ({ size: 1 }));
const vars = (values: Record<string, number[]>) => new Map(Object.entries(values).map(([n, v]) => [n, tf.variable(tf.tensor1d(v), true)]));
const values = (m: Map<string, tf.Variable>) => Object.fromEntries([...m].map(([n, v]) => [n, Array.from(v.dataSync())]));
const sq = (v: tf.Tensor, target: number) => tf.sum(tf.square(tf.sub(v, target))) as tf.Scalar;

describe('trainer: groups, objectives, metric early stopping, stages', () => {
  it('parameter groups: a group with lr 0 stays put, a group with its own weight decay shrinks', async () => {
    // 2-D: the default decay filter decays weight matrices
    const m = new Map(['a.weight', 'b.weight', 'c.weight'].map((n) => [n, tf.variable(tf.tensor2d([[1, 1]]), true)]));
    const zero = () => tf.mul(tf.add(tf.add(tf.sum(m.get('a.weight')!), tf.sum(m.get('b.weight')!)), tf.sum(m.get('c.weight')!)), 0) as tf.Scalar;
    await train({
      variables: m, lossFn: zero, trainBatches: () => batches, config: { epochs: 1, lr: 0.1, weightDecay: 0, schedule: 'constant' },
      groups: [{ name: 'frozen', variables: ['a.weight'], lr: 0 }, { name: 'decayed', variables: (n) => n.startsWith('b.'), weightDecay: 0.5 }],
    });
    const v = values(m);
    expect(v['a.weight']).toEqual([1, 1]); // 2-D values flatten the same way
    expect(v['b.weight']![0]).toBeCloseTo((1 - 0.1 * 0.5) ** 4, 6); // decoupled decay only
    expect(v['c.weight']).toEqual([1, 1]);
    await expect(train({ variables: m, lossFn: zero, trainBatches: () => batches, config: {}, groups: [{ name: 'g', variables: ['nope'] }] })).rejects.toThrow(/group 'g': no trainable variable named 'nope'/);
    await expect(
      train({ variables: m, lossFn: zero, trainBatches: () => batches, config: {}, groups: [{ name: 'g1', variables: ['a.weight'] }, { name: 'g2', variables: ['a.weight'] }] }),
    ).rejects.toThrow(/'a.weight' is in two parameter groups/);
    await expect(train({ variables: m, lossFn: zero, trainBatches: () => batches, config: {}, groups: [{ name: 'g', variables: ['a.weight'], lr: 0.1, lrScale: 2 }] })).rejects.toThrow(/group 'g': give lr or lrScale, not both/);
    await expect(train({ variables: m, lossFn: zero, trainBatches: () => batches, config: {}, groups: [{ name: 'g', variables: ['a.weight'], lrScale: -1 }] })).rejects.toThrow(/group 'g': lrScale must be a finite number >= 0, got -1/);
  });

  it("parameter groups: lrScale multiplies the run's learning rate, as the same group's lr would", async () => {
    const run = async (group: { lr?: number; lrScale?: number }) => {
      const m = vars({ a: [0], b: [0] });
      const loss = () => tf.add(sq(m.get('a')!, 3), sq(m.get('b')!, 3)) as tf.Scalar;
      await train({ variables: m, lossFn: loss, trainBatches: () => batches, config: { epochs: 2, lr: 0.05, weightDecay: 0, schedule: 'linear', warmupSteps: 2 }, groups: [{ name: 'fast', variables: ['a'], ...group }] });
      return values(m);
    };
    const byScale = await run({ lrScale: 4 });
    const byLr = await run({ lr: 0.2 });
    expect(byScale).toEqual(byLr);
    expect(byScale.a![0]).toBeGreaterThan(byScale.b![0]! + 0.1); // the scaled group moved further toward 3
  });

  it('two objectives alternate over their own variables (a discriminator step twice per batch) and resume exactly', async () => {
    const run = async (dir?: string, resume = false, killAfter?: number) => {
      const m = vars({ prompt: [0], disc: [0] });
      const steps: StepReport[] = [];
      await train({
        variables: m, lossFn: () => sq(m.get('prompt')!, 1), trainBatches: () => batches,
        config: { epochs: 3, lr: 0.05, schedule: 'constant', weightDecay: 0, ...(dir ? { checkpointDir: dir, resume } : {}) },
        updates: [
          { name: 'rec', variables: ['prompt'], lossFn: () => sq(m.get('prompt')!, 1) },
          { name: 'disc', variables: ['disc'], lossFn: () => sq(m.get('disc')!, -2), repeat: 2 },
        ],
        onStep: (s) => steps.push(s),
        onEpochEnd: ({ epoch }) => {
          if (epoch === killAfter) throw new Error('killed');
        },
      }).catch((e: Error) => {
        if (e.message !== 'killed') throw e;
      });
      return { v: values(m), steps };
    };
    const whole = await run();
    expect(whole.steps[0]!.losses).toEqual({ rec: 1, disc: expect.any(Number) });
    // AdamW moves each variable by ~lr per update: the discriminator twice as often
    expect(whole.v.prompt![0]).toBeCloseTo(12 * 0.05, 1);
    expect(whole.v.disc![0]).toBeCloseTo(-24 * 0.05, 1);
    const dir = mkdtempSync(join(tmpdir(), 'xrec-rules-'));
    dirs.push(dir);
    await run(dir, false, 0);
    const resumed = await run(dir, true);
    expect(resumed.v).toEqual(whole.v);
    const m = vars({ x: [0] });
    await expect(
      train({ variables: m, lossFn: () => sq(m.get('x')!, 1), trainBatches: () => batches, config: {}, updates: [{ name: 'a', variables: ['x'] }, { name: 'b', variables: ['x'] }] }),
    ).rejects.toThrow(/'x' is updated by two rules/);
  });

  it('early stopping on a validation metric (max) restores the best epoch', async () => {
    const m = vars({ x: [0] });
    const metricByEpoch = [0.2, 0.5, 0.4, 0.3, 0.1];
    const seen: number[] = [];
    const r = await train({
      variables: m, lossFn: () => sq(m.get('x')!, 3), trainBatches: () => batches, config: { epochs: 5, lr: 0.1, patience: 2, schedule: 'constant' },
      valMetric: { name: 'bleu', mode: 'max', compute: ({ epoch }) => metricByEpoch[epoch]! },
      onEpochEnd: () => void seen.push(m.get('x')!.dataSync()[0]!),
    });
    expect(r.bestEpoch).toBe(1);
    expect(r.bestMetric).toBe(0.5);
    expect(r.stoppedEarly).toBe(true);
    expect(r.epochs.map((e) => e.metric)).toEqual([0.2, 0.5, 0.4, 0.3]);
    expect(m.get('x')!.dataSync()[0]).toBe(seen[1]); // the weights after epoch 2 (index 1) are back
  });

  it('stages run in order with their own trainable sets and settings; hooks run around each', async () => {
    const m = vars({ prompt: [0], lm: [0] });
    const order: string[] = [];
    const lossFn = () => tf.add(sq(m.get('prompt')!, 1), sq(m.get('lm')!, 1)) as tf.Scalar;
    const out = await trainStages(
      [
        { name: 'prompt', variables: new Map([['prompt', m.get('prompt')!]]), config: { epochs: 1 }, before: () => void order.push('before prompt'), after: () => void order.push('after prompt') },
        { name: 'full', variables: () => m, config: { epochs: 2, lr: 0.01 } },
      ],
      { lossFn, trainBatches: () => batches, config: { lr: 0.1, schedule: 'constant' } },
    );
    expect(out.map((o) => [o.stage, o.result.steps])).toEqual([['prompt', 4], ['full', 8]]);
    expect(order).toEqual(['before prompt', 'after prompt']);
    expect(m.get('prompt')!.dataSync()[0]).toBeGreaterThan(m.get('lm')!.dataSync()[0]! * 2); // the prompt stage moved only the prompt
  });

  it('the config resolver names unknown fields (a typo is no longer ignored)', () => {
    expect(() => resolveTrainerConfig({ lrr: 0.1 } as never)).toThrow("TrainerConfig: unknown field 'lrr' (did you mean 'lr'?)");
    expect(() => resolveTrainerConfig({ epochs: 0 })).toThrow(ConfigError);
    expect(Object.isFrozen(resolveTrainerConfig({}))).toBe(true);
  });
});
