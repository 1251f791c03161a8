import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { fusedAttention } from '../attention.js';
import { initBackend } from '../backend.js';
import { activateNativeKernels, deactivateNativeKernels, nativeStatus } from '../native-kernels.js';
import { attentionFused, setAttentionFused } from './attention.js';

// Attention as two kernels (XrecAttention / XrecAttentionGrad) against the per-group path of attention.ts: on cpu
// with the float64 JS reference, on wasm with the native C kernels. Masks: causal shared by all groups, and
// per-batch-row padding masks including a fully masked row (uniform weights).

const rng = new Rng(3);
const [B, H, R, hd] = [2, 3, 5, 4];
const G = B * H;
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal(0, 1));
const q = rand(G * R * hd);
const k = rand(G * R * hd);
const v = rand(G * R * hd);
const up = rand(G * R * hd); // loss = Σ o ⊙ up
const causal = Float32Array.from({ length: R * R }, (_, i) => (i % R > Math.floor(i / R) ? -1e9 : 0));
const padded = Float32Array.from({ length: B * R * R }, (_, i) => {
  const [b, row, col] = [Math.floor(i / (R * R)), Math.floor(i / R) % R, i % R];
  if (b === 1 && row === 0) return -1e9; // fully masked row
  return col > row || (b === 1 && col < 2) ? -1e9 : 0;
});

function run(mask: Float32Array, maskShape: number[]): Float32Array[] {
  return tf.tidy(() => {
    const t = (x: Float32Array) => tf.tensor3d(x, [G, R, hd]);
    const m = tf.tensor(mask, maskShape);
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(fusedAttention(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, m), t(up)));
    const out = fusedAttention(t(q), t(k), t(v), m).dataSync() as Float32Array;
    const grads = tf.grads(f)([t(q), t(k), t(v)]);
    return [out, ...grads.map((g) => g.dataSync() as Float32Array)];
  });
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (1e-3 + Math.abs(b[i]!)));
  return worst;
}

const masks: [string, Float32Array, number[]][] = [
  ['causal [R, R]', causal, [R, R]],
  ['padding per batch row [B, R, R]', padded, [B, R, R]],
];

const backend = await initBackend({ force: 'wasm' });
const active = backend.choice === 'wasm' && (await activateNativeKernels()).active;

describe('attention as two kernels (XrecAttention, XrecAttentionGrad)', () => {
  afterAll(async () => {
    setAttentionFused(false, 'cpu');
    await initBackend({ force: 'wasm' });
    await activateNativeKernels();
  });

  it('cpu, float64 JS reference: output and dq, dk, dv equal the per-group path', async () => {
    await initBackend({ force: 'cpu' });
    for (const [, mask, shape] of masks) {
      setAttentionFused(false, 'cpu');
      const plain = run(mask, shape);
      setAttentionFused(true, 'cpu');
      const before = tf.memory().numTensors;
      const fused = run(mask, shape);
      expect(tf.memory().numTensors).toBe(before);
      for (let i = 0; i < 4; i++) expect(maxRel(fused[i]!, plain[i]!)).toBeLessThan(1e-5);
    }
    setAttentionFused(false, 'cpu');
  });

  it.skipIf(!active)(`wasm, native C kernels: equal the per-group wasm path ${active ? '' : `(native kernels not active: ${nativeStatus().reason})`}`, async () => {
    await initBackend({ force: 'wasm' });
    await activateNativeKernels();
    expect(attentionFused()).toBe(true);
    const fused = masks.map(([, mask, shape]) => run(mask, shape));
    deactivateNativeKernels();
    expect(attentionFused()).toBe(false);
    masks.forEach(([, mask, shape], m) => {
      const plain = run(mask, shape);
      for (let i = 0; i < 4; i++) expect(maxRel(fused[m]![i]!, plain[i]!)).toBeLessThan(1e-4);
    });
  });
});
