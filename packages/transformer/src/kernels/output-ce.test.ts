import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { initBackend } from '../backend.js';
import { activateNativeKernels, deactivateNativeKernels, nativeStatus } from '../native-kernels.js';
import { outputCrossEntropy } from '../ops.js';
import { outputCeFused, setOutputCeFused } from './output-ce.js';

// The fused output-layer cross-entropy (one kernel: logits, softmax, loss, dh, dW by blocks of rows) against the
// unfused path it replaces: on cpu with its float64 JS reference, and on wasm with the native C kernel.

const rng = new Rng(7);
const n = 9;
const d = 6;
const v = 23;
const h = Float32Array.from({ length: n * d }, () => rng.normal(0, 1));
const wVd = Float32Array.from({ length: v * d }, () => rng.normal(0, 0.8));
const labels = Int32Array.from({ length: n }, (_, i) => (i === 4 ? -100 : (i * 7) % v)); // row 4 ignored

function run(layout: 'vd' | 'dv', frozen = false): { value: number; dh: Float32Array; dw: Float32Array; noTape: number } {
  return tf.tidy(() => {
    const wT = tf.tensor2d(wVd, [v, d]);
    const w = layout === 'vd' ? wT : tf.transpose(wT);
    const hv = tf.tensor2d(h, [n, d]);
    const noTape = outputCrossEntropy(hv, w as tf.Tensor2D, layout, labels).dataSync()[0]!;
    if (frozen) {
      const fw = tf.variable(w, false);
      const g = tf.grad((x: tf.Tensor) => outputCrossEntropy(x as tf.Tensor2D, fw as unknown as tf.Tensor2D, layout, labels))(hv);
      const value = outputCrossEntropy(hv, fw as unknown as tf.Tensor2D, layout, labels).dataSync()[0]!;
      fw.dispose();
      return { value, dh: g.dataSync() as Float32Array, dw: new Float32Array(0), noTape };
    }
    const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => outputCrossEntropy(a as tf.Tensor2D, b as tf.Tensor2D, layout, labels))([hv, w]);
    return { value: value.dataSync()[0]!, dh: grads[0]!.dataSync() as Float32Array, dw: grads[1]!.dataSync() as Float32Array, noTape };
  });
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (1e-3 + Math.abs(b[i]!)));
  return worst;
}

function compare(fused: ReturnType<typeof run>, plain: ReturnType<typeof run>, tol: number): void {
  expect(Math.abs(fused.value - plain.value) / plain.value).toBeLessThan(tol);
  expect(Math.abs(fused.noTape - plain.value) / plain.value).toBeLessThan(tol);
  expect(maxRel(fused.dh, plain.dh)).toBeLessThan(tol);
  expect(maxRel(fused.dw, plain.dw)).toBeLessThan(tol);
}

const backend = await initBackend({ force: 'wasm' });
const active = backend.choice === 'wasm' && (await activateNativeKernels()).active;

describe('fused output cross-entropy (XrecOutputCe)', () => {
  afterAll(async () => {
    setOutputCeFused(false, 'cpu');
    await initBackend({ force: 'wasm' });
    await activateNativeKernels();
  });

  it('cpu, float64 JS reference kernel: value, dh and dW equal the unfused path, both layouts, ignored rows, frozen W', async () => {
    await initBackend({ force: 'cpu' });
    for (const layout of ['vd', 'dv'] as const) {
      setOutputCeFused(false, 'cpu');
      const plain = run(layout);
      const plainFrozen = run(layout, true);
      setOutputCeFused(true, 'cpu');
      const before = tf.memory().numTensors;
      const fused = run(layout);
      const fusedFrozen = run(layout, true);
      expect(tf.memory().numTensors).toBe(before);
      compare(fused, plain, 1e-5);
      expect(maxRel(fusedFrozen.dh, plainFrozen.dh)).toBeLessThan(1e-5);
    }
    setOutputCeFused(false, 'cpu');
  });

  it.skipIf(!active)(`wasm, native C kernel: equals the unfused wasm path ${active ? '' : `(native kernels not active: ${nativeStatus().reason})`}`, async () => {
    await initBackend({ force: 'wasm' });
    await activateNativeKernels();
    expect(outputCeFused()).toBe(true);
    expect(nativeStatus().kernels).toContain('XrecOutputCe');
    const fused = { vd: run('vd'), dv: run('dv') };
    const before = tf.memory().numTensors;
    run('vd');
    expect(tf.memory().numTensors).toBe(before);
    deactivateNativeKernels();
    expect(outputCeFused()).toBe(false);
    compare(fused.vd, run('vd'), 1e-4);
    compare(fused.dv, run('dv'), 1e-4);
  });
});
