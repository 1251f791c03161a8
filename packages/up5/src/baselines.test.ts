import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@xrec/core';
import { initBackend } from '@xrec/transformer';
import { P5Recommender, p5Template, trainP5, trainP5Tokenizer, type RecExample } from '@xrec/p5';
import { attackerAuc, classPrior, Discriminator, FairPrefix, fitNullspaceProjection, LinearProjection, trainAdversarialP5, trainFairPrefix } from './index.js';

beforeAll(async () => {
  await initBackend();
});

/** n users, d dims of unit noise; the label shifts dimensions 1 and 4 (a linear leak). */
function planted(n: number, d: number, seed: number) {
  const rng = new Rng(seed);
  const labels = Array.from({ length: n }, () => (rng.float() < 0.5 ? 1 : 0));
  const reps = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) reps[i * d + j] = rng.normal() + (j === 1 ? 2.5 * labels[i]! : j === 4 ? -1.5 * labels[i]! : 0);
  return { reps, labels };
}

describe('linear projection (INLP)', () => {
  it('removes a planted linear leak: orthonormal basis, idempotent projection, a fresh attacker back near 0.5', () => {
    const d = 8;
    const { reps, labels } = planted(600, d, 1);
    const proj = fitNullspaceProjection(reps.slice(0, 400 * d), labels.slice(0, 400), { dModel: d, classes: 2, iterations: 3, seed: 2 });
    expect(proj.rank).toBeGreaterThanOrEqual(1);
    expect(proj.rank).toBeLessThanOrEqual(3);
    const B = Array.from({ length: proj.rank }, (_, i) => proj.basis.slice(i * d, (i + 1) * d));
    for (let i = 0; i < B.length; i++) for (let j = 0; j < B.length; j++) expect(B[i]!.reduce((a, x, k) => a + x * B[j]![k]!, 0)).toBeCloseTo(i === j ? 1 : 0, 4);
    // the first direction is the planted one (dimensions 1 and 4, in ratio 2.5 : −1.5)
    const first = B[0]!;
    expect(Math.abs(first[1]!) + Math.abs(first[4]!)).toBeGreaterThan(0.9);
    const once = proj.project(reps);
    const twice = proj.project(once);
    once.forEach((v, i) => expect(twice[i]).toBeCloseTo(v, 5));
    const split = (x: Float32Array, a: number, b: number) => ({ reps: x.slice(a * d, b * d), labels: labels.slice(a, b) });
    const o = { dModel: d, classes: 2, epochs: 30, lr: 1e-2, batchSize: 32, seed: 1 };
    const before = attackerAuc(split(reps, 0, 400), split(reps, 400, 600), o).auc;
    const after = attackerAuc(split(once, 0, 400), split(once, 400, 600), o).auc;
    expect(before).toBeGreaterThan(0.9);
    expect(Math.abs(after - 0.5)).toBeLessThan(0.1);
    // INLP's stopping rule: labels that no linear classifier reads (shuffled) remove nothing
    const shuffled = new Rng(5).shuffle([...labels]);
    expect(fitNullspaceProjection(reps, shuffled, { dModel: d, classes: 2, iterations: 3, seed: 2 }).rank).toBe(0);
  });

  it('multi-class: one direction per class at most per iteration; the tensor and array projections agree; bad input is refused', () => {
    const d = 6;
    const rng = new Rng(4);
    const labels = Array.from({ length: 300 }, () => Math.floor(rng.float() * 3));
    const reps = Float32Array.from({ length: 300 * d }, (_, k) => rng.normal() + (k % d === labels[Math.floor(k / d)]! ? 2 : 0));
    const proj = fitNullspaceProjection(reps, labels, { dModel: d, classes: 3, iterations: 1, seed: 1 });
    expect(proj.rank).toBe(3);
    const t = tf.tidy(() => Array.from(proj.projectTensor(tf.tensor2d(reps.slice(0, 2 * d), [2, d])).dataSync()));
    Array.from(proj.project(reps.slice(0, 2 * d))).forEach((v, i) => expect(v).toBeCloseTo(t[i]!, 6));
    expect(Array.from(new LinearProjection(d, new Float32Array(0)).project(reps.slice(0, d)))).toEqual(Array.from(reps.slice(0, d)));
    expect(() => fitNullspaceProjection(reps, labels.slice(1), { dModel: d, classes: 3 })).toThrow(/must be \[299, 6\]/);
    expect(() => fitNullspaceProjection(reps, labels, { dModel: d, classes: 2 })).toThrow(/label 2 at \d+ is not one of 2 classes/);
    expect(() => new LinearProjection(d, new Float32Array(7))).toThrow(/not k × 6/);
  });
});

describe('adversary objectives', () => {
  it('confusion is the cross-entropy to its target, uniform by default (ln 2, ln C at zero logits); negative-ce is −L_disc', () => {
    const disc = new Discriminator(4, 2, new Rng(1));
    const multi = new Discriminator(4, 3, new Rng(2));
    tf.tidy(() => {
      for (const v of [...disc.variables().values(), ...multi.variables().values()]) v.assign(tf.zerosLike(v));
      const x = tf.randomNormal([5, 4], 0, 1, 'float32', 3) as tf.Tensor2D;
      expect(disc.adversaryLoss(x, [0, 1, 0, 1, 1], 'confusion').dataSync()[0]).toBeCloseTo(Math.log(2), 5);
      expect(multi.adversaryLoss(x, [0, 1, 2, 1, 0], 'confusion').dataSync()[0]).toBeCloseTo(Math.log(3), 5);
    });
    tf.tidy(() => {
      const trained = new Discriminator(4, 2, new Rng(5));
      const x = tf.randomNormal([5, 4], 0, 1, 'float32', 3) as tf.Tensor2D;
      expect(trained.adversaryLoss(x, [0, 1, 0, 1, 1], 'negative-ce').dataSync()[0]).toBeCloseTo(-trained.loss(x, [0, 1, 0, 1, 1]).dataSync()[0]!, 6);
      trained.dispose();
    });
    disc.dispose();
    multi.dispose();
  });

  it('confusion against the class prior is minimal (the prior\'s entropy) where the discriminator outputs the prior', () => {
    expect(classPrior([0, 1, 1, 1, 2, 1], 3)).toEqual([1 / 6, 4 / 6, 1 / 6]);
    expect(() => classPrior([0, 3], 3)).toThrow(/label 3 at 1 is not one of 3 classes/);
    expect(() => classPrior([], 2)).toThrow(/no labels/);
    const entropy = (p: readonly number[]) => -p.reduce((a, q) => a + (q > 0 ? q * Math.log(q) : 0), 0);
    // zero weights: every user gets the last layer's bias as logits, so the output is set exactly
    const atBias = (disc: Discriminator, bias: readonly number[], prior: readonly number[]) =>
      tf.tidy(() => {
        const vars = [...disc.variables()];
        for (const [, v] of vars) v.assign(tf.zerosLike(v));
        vars[vars.length - 1]![1].assign(tf.tensor1d([...bias]));
        disc.setConfusionTarget(prior);
        return disc.adversaryLoss(tf.randomNormal([6, 4], 0, 1, 'float32', 3) as tf.Tensor2D, [0, 1, 0, 1, 1, 0], 'confusion').dataSync()[0]!;
      });
    const bin = new Discriminator(4, 2, new Rng(1));
    expect(bin.confusionTarget).toEqual([0.5, 0.5]);
    const p = [0.78, 0.22];
    expect(atBias(bin, [Math.log(0.22 / 0.78)], p)).toBeCloseTo(entropy(p), 5);
    // the uniform output (logit 0) is no longer the minimum: it costs more than the prior's output
    expect(atBias(bin, [0], p)).toBeGreaterThan(entropy(p) + 0.1);
    const multi = new Discriminator(4, 3, new Rng(2));
    const q = [0.6, 0.3, 0.1];
    expect(atBias(multi, q.map(Math.log), q)).toBeCloseTo(entropy(q), 5);
    expect(atBias(multi, [0, 0, 0], q)).toBeGreaterThan(entropy(q) + 0.1);
    expect(() => multi.setConfusionTarget([0.5, 0.5])).toThrow(/2 probabilities for 3 classes/);
    expect(() => multi.setConfusionTarget([0.5, 0.4, 0.2])).toThrow(/must sum to 1, got 1.1/);
    expect(() => multi.setConfusionTarget([1.5, -0.4, -0.1])).toThrow(/must be in \[0, 1\]/);
    bin.dispose();
    multi.dispose();
  });
});

describe('adversarial schedules and the fine-tuning baseline', () => {
  const items = ['ka', 'lo', 'mu', 'ne'];
  const make = (n: number): RecExample[] => Array.from({ length: n }, (_, k) => ({ user: String(10 + (k % 9)), history: [items[k % 4]!], target: items[(k + 1) % 4]! }));
  const build = async () => {
    const t = p5Template('sequential', 'insurance');
    const train = make(64);
    const tok = trainP5Tokenizer(train.flatMap((e) => [t.source(e), ` ${e.target}`]), 300);
    const rec = P5Recommender.create(tok, items, { task: 'sequential', domain: 'insurance' }, { dModel: 16, nHeads: 2, nLayers: 1, dFF: 32, dropout: 0 }, 3);
    await trainP5(rec, { train, batchSize: 32, config: { epochs: 2, lr: 1e-2, warmupSteps: 2 } });
    return rec;
  };
  const snap = (m: Map<string, tf.Variable>) => new Map([...m].map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
  const same = (a: Map<string, Float32Array>, m: Map<string, tf.Variable>) => [...m].every(([n, v]) => v.dataSync().every((x, i) => x === a.get(n)![i]));

  it('adversarial fine-tuning trains the P5 itself; the discriminator skips batches per discriminatorEvery; pre-training fits it first', async () => {
    const rec = await build();
    const frozen = await build();
    const disc = new Discriminator(16, 2, new Rng(1));
    const p0 = snap(rec.model.parameters());
    const d0 = snap(disc.variables());
    const res = await trainAdversarialP5(rec, disc, { train: make(64), labelOf: (u) => Number(u) % 2, batchSize: 32, lr: 1e-2, adversary: 'confusion' });
    expect(res.steps).toBe(2);
    expect(same(p0, rec.model.parameters())).toBe(false);
    expect(same(d0, disc.variables())).toBe(false);
    // discriminatorEvery 1000 over two steps (0 and 1): only step 0 updates the discriminator, exactly as a one-step run does
    const run = async (every: number, perEpoch: number) => {
      const prefix = FairPrefix.create('parity', frozen.model.config, { tokens: 2 }, new Rng(4));
      const dd = new Discriminator(16, 2, new Rng(1));
      const r = await trainFairPrefix(frozen, prefix, dd, { train: make(64), labelOf: (u) => Number(u) % 2, batchSize: 32, lr: 1e-2, discriminatorEvery: every, examplesPerEpoch: perEpoch });
      const out = { steps: r.steps, disc: snap(dd.variables()), prompt: snap(prefix.variables()) };
      prefix.dispose();
      dd.dispose();
      return out;
    };
    const skipping = await run(1000, 64);
    const oneStep = await run(1, 32);
    expect([skipping.steps, oneStep.steps]).toEqual([2, 1]);
    for (const [n, v] of skipping.disc) expect(v, n).toEqual(oneStep.disc.get(n));
    expect([...skipping.prompt].some(([n, v]) => v.some((x, i) => x !== oneStep.prompt.get(n)![i]))).toBe(true);
    // pre-training runs before step 0: the same one-step run ends with a different discriminator
    const prefix = FairPrefix.create('parity', frozen.model.config, { tokens: 2 }, new Rng(4));
    const pre = new Discriminator(16, 2, new Rng(1));
    await trainFairPrefix(frozen, prefix, pre, { train: make(64), labelOf: (u) => Number(u) % 2, batchSize: 32, lr: 1e-2, discriminatorEvery: 1000, examplesPerEpoch: 32, pretrainDiscriminatorEpochs: 3, lambda: 0 });
    expect([...snap(pre.variables())].some(([n, v]) => v.some((x, i) => x !== oneStep.disc.get(n)![i]))).toBe(true);
    await expect(trainFairPrefix(frozen, prefix, pre, { train: make(4), labelOf: () => 0, discriminatorEvery: 0 })).rejects.toThrow(/discriminatorEvery must be a positive integer, got 0/);
    await expect(trainFairPrefix(frozen, prefix, pre, { train: make(4), labelOf: () => 0, adversary: 'wrong' as never })).rejects.toThrow(/adversary must be negative-ce or confusion or mmd, got 'wrong'/);
    await expect(trainFairPrefix(frozen, prefix, pre, { train: make(4), labelOf: () => 0, confusionTarget: 'wrong' as never })).rejects.toThrow(/confusionTarget must be prior or uniform, got 'wrong'/);
    // the trainer points the discriminator's confusion at the class prior of its training examples (or at uniform)
    const skewed = (u: string) => (Number(u) % 3 === 0 ? 1 : 0); // users 10..18: 12, 15, 18 are class 1
    const labels = make(64).map((e) => skewed(e.user));
    await trainFairPrefix(frozen, prefix, pre, { train: make(64), labelOf: skewed, batchSize: 32, examplesPerEpoch: 32, adversary: 'confusion' });
    expect(pre.confusionTarget).toEqual(classPrior(labels, 2));
    expect(pre.confusionTarget[1]).not.toBeCloseTo(0.5, 2);
    await trainFairPrefix(frozen, prefix, pre, { train: make(64), labelOf: skewed, batchSize: 32, examplesPerEpoch: 32, adversary: 'confusion', confusionTarget: 'uniform' });
    expect(pre.confusionTarget).toEqual([0.5, 0.5]);
    for (const x of [disc, pre, prefix, rec, frozen]) x.dispose();
  });
});
