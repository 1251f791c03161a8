import * as tf from '@tensorflow/tfjs';
import { ConfigError, Rng } from '@xrec/core';
import { describe, expect, it } from 'vitest';
import { classMmd, MMD_BANDWIDTHS } from './mmd.js';

/** The biased MMD² of one class against the rest, by plain loops (the independent reference). */
function loopMmd(x: number[][], labels: number[], c: number): number {
  const d2 = (a: number[], b: number[]) => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);
  let mean = 0;
  for (const a of x) for (const b of x) mean += d2(a, b);
  mean /= x.length * x.length;
  const k = (a: number[], b: number[]) => MMD_BANDWIDTHS.reduce((s, m) => s + Math.exp(-d2(a, b) / (mean * m)), 0);
  const P = x.filter((_, i) => labels[i] === c);
  const Q = x.filter((_, i) => labels[i] !== c);
  const avg = (A: number[][], B: number[][]) => A.reduce((s, a) => s + B.reduce((t, b) => t + k(a, b), 0), 0) / (A.length * B.length);
  return avg(P, P) + avg(Q, Q) - 2 * avg(P, Q);
}

const points = (n: number, d: number, rng: Rng, shift = 0) => Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal() + shift));

describe('classMmd', () => {
  it('equals the loop reference for a binary and a three-class attribute', () => {
    const rng = new Rng(3);
    const x = points(12, 5, rng);
    const bin = [0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 1];
    expect(classMmd(tf.tensor2d(x), bin, 2).dataSync()[0]).toBeCloseTo(loopMmd(x, bin, 1), 5);
    const three = [0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 0, 2];
    const want = [0, 1, 2].reduce((s, c) => s + loopMmd(x, three, c), 0);
    expect(classMmd(tf.tensor2d(x), three, 3).dataSync()[0]).toBeCloseTo(want, 5);
  });

  it('is zero when every class holds the same points, and larger for separated classes', () => {
    const rng = new Rng(4);
    const half = points(6, 4, rng);
    const same = classMmd(tf.tensor2d([...half, ...half]), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1], 2).dataSync()[0]!;
    expect(Math.abs(same)).toBeLessThan(1e-5);
    const apart = classMmd(tf.tensor2d([...points(6, 4, rng), ...points(6, 4, rng, 3)]), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1], 2).dataSync()[0]!;
    const mixed = classMmd(tf.tensor2d(points(12, 4, rng)), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1], 2).dataSync()[0]!;
    expect(apart).toBeGreaterThan(mixed);
    expect(mixed).toBeGreaterThan(0);
  });

  it('is zero for a batch with one class only, and its gradient pulls the classes together', () => {
    const rng = new Rng(5);
    expect(classMmd(tf.tensor2d(points(5, 3, rng)), [1, 1, 1, 1, 1], 2).dataSync()[0]).toBe(0);
    const labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const x = tf.variable(tf.tensor2d([...points(5, 3, rng), ...points(5, 3, rng, 2)]));
    const before = classMmd(x, labels, 2).dataSync()[0]!;
    const opt = tf.train.sgd(0.5);
    for (let i = 0; i < 30; i++) opt.minimize(() => classMmd(x, labels, 2));
    expect(classMmd(x, labels, 2).dataSync()[0]!).toBeLessThan(before / 2);
  });

  it('rejects labels that do not match the batch', () => {
    expect(() => classMmd(tf.zeros([3, 2]) as tf.Tensor2D, [0, 1], 2)).toThrow(ConfigError);
  });
});
