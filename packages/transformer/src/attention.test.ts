import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { initBackend } from './backend.js';
import { fusedAttention } from './attention.js';
import { registerJsKernels } from './kernels/register.js';

/** softmax(q kᵀ + mask) v with plain batched tfjs ops (tfjs's own gradients). */
function reference(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, mask: tf.Tensor): tf.Tensor3D {
  const per = mask.rank === 3 ? q.shape[0] / mask.shape[0] : 1;
  const m = mask.rank === 3 ? tf.gather(mask, tf.tensor1d(Array.from({ length: q.shape[0] }, (_, g) => Math.floor(g / per)), 'int32')) : mask;
  return tf.matMul(tf.softmax(tf.add(tf.matMul(q, k, false, true), m)), v);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('fusedAttention (fused masked softmax, hand-written backward)', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const perRow of [false, true]) {
      it(`${backend}, ${perRow ? 'per-batch-row (padding) mask shared by 2 heads, with a fully masked row' : 'shared causal mask'}: value and gradients = plain tfjs ops`, async () => {
        await initBackend({ force: backend });
        registerJsKernels();
        const rng = new Rng(perRow ? 21 : 22);
        const [B, R, hd] = [3, 6, 4];
        const G = 2 * B; // groups (batch row, head), ordered by batch row
        const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal(0, 1));
        const m = new Float32Array((perRow ? B : 1) * R * R);
        for (let b = 0; b < (perRow ? B : 1); b++) {
          for (let i = 0; i < R; i++) {
            for (let j = 0; j < R; j++) {
              const padded = perRow && b === 1 && j < 2; // batch row 1: first two keys are padding
              m[(b * R + i) * R + j] = j <= i && !padded ? 0 : -1e9;
            }
          }
        }
        const data = [rand(G * R * hd), rand(G * R * hd), rand(G * R * hd)];
        const dOut = rand(G * R * hd);
        const run = (f: typeof reference) =>
          tf.tidy(() => {
            const mask = perRow ? tf.tensor3d(m, [B, R, R]) : tf.tensor2d(m, [R, R]);
            const [q, k, v] = data.map((d) => tf.tensor3d(d, [G, R, hd]));
            const w = tf.tensor3d(dOut, [G, R, hd]);
            const { value, grads } = tf.valueAndGrads((a: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor3D, c as tf.Tensor3D, e as tf.Tensor3D, mask), w)) as tf.Scalar)([q!, k!, v!]);
            const out = Array.from(f(q!, k!, v!, mask).dataSync());
            return { value: value.dataSync()[0]!, out, grads: grads.map((g) => Array.from(g.dataSync())) };
          });
        const before = tf.memory().numTensors;
        const fused = run(fusedAttention);
        expect(tf.memory().numTensors).toBe(before);
        const plain = run(reference);
        expect(maxAbsDiff(fused.out, plain.out)).toBeLessThan(1e-5);
        expect(Math.abs(fused.value - plain.value)).toBeLessThan(1e-4);
        fused.grads.forEach((g, i) => expect(maxAbsDiff(g, plain.grads[i]!)).toBeLessThan(1e-5));
        // Row 0 of batch row 1 (groups 2 and 3) sees only padding: uniform weights over all R keys (what plain softmax gives).
        if (perRow) {
          for (const g of [2, 3]) {
            const vg = data[2]!.subarray(g * R * hd, (g + 1) * R * hd);
            const mean = Array.from({ length: hd }, (_, c) => Array.from({ length: R }, (_, j) => vg[j * hd + c]!).reduce((a, x) => a + x, 0) / R);
            expect(maxAbsDiff(fused.out.slice(g * R * hd, g * R * hd + hd), mean)).toBeLessThan(1e-5);
          }
        }
        expect(() => fusedAttention(tf.zeros([2, 6, 4]), tf.zeros([2, 5, 4]), tf.zeros([2, 6, 4]), tf.zeros([6, 6]))).toThrow(/do not fit/);
      });
    }
  }
});
