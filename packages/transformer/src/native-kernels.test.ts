import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { initBackend } from './backend.js';
import { activateNativeKernels, deactivateNativeKernels, nativeStatus } from './native-kernels.js';
import { geluTanh, layerNorm, rmsNorm } from './ops.js';
import { fusedAttention } from './attention.js';
import { AdamW } from './optim.js';
import { trainSmallGpt } from '../test/small-gpt.js';
import { maxRel, rand, refMatMul } from '../test/float-reference.js';

// The native kernels are checked against float64 JS references and against the wasm path they replace
// (deactivateNativeKernels puts the stock kernels back in the same process).

const backend = await initBackend();
const active = backend.choice === 'wasm' && nativeStatus().active;
const why = active ? '' : `native kernels not active here: ${nativeStatus().reason ?? backend.choice}`;

/** ‖a - b‖ / ‖b‖ */
function normRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

describe.skipIf(!active)(`native kernels on wasm ${why}`, () => {
  beforeAll(async () => {
    await activateNativeKernels();
  });
  afterAll(async () => {
    await activateNativeKernels();
  });

  it('reports the BLAS and the kernels it serves', () => {
    const s = nativeStatus();
    expect(s.kernels).toEqual(expect.arrayContaining(['BatchMatMul', 'Softmax', 'XrecGelu', 'XrecAdamW']));
    expect(s.blas).toMatch(/blas|builtin/);
    expect(s.threads).toBeGreaterThanOrEqual(1);
  });

  it('matMul with every transpose flag, batched and broadcast, equals a float64 reference', () => {
    const rng = new Rng(1);
    const before = tf.memory().numTensors;
    for (const [m, n, k] of [
      [7, 5, 3],
      [33, 17, 65],
      [1, 1, 1],
    ] as const) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const av = rand(rng, m * k);
          const bv = rand(rng, k * n);
          const got = tf.tidy(() => tf.matMul(tf.tensor2d(av, ta ? [k, m] : [m, k]), tf.tensor2d(bv, tb ? [n, k] : [k, n]), ta, tb).dataSync());
          expect(maxRel(got, refMatMul(av, bv, m, n, k, ta, tb))).toBeLessThan(1e-5);
        }
      }
    }
    // [3, m, k] @ [3, k, n], and a batch of one broadcast against three
    const av = rand(rng, 3 * 4 * 5);
    const bv = rand(rng, 5 * 6);
    const got = tf.tidy(() => tf.matMul(tf.tensor3d(av, [3, 4, 5]), tf.tensor3d(bv, [1, 5, 6])).dataSync());
    for (let g = 0; g < 3; g++) expect(maxRel(got.subarray(g * 24, (g + 1) * 24), refMatMul(av.subarray(g * 20, (g + 1) * 20), bv, 4, 6, 5, false, false))).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('softmax, GELU and its gradient agree with the stock kernels and JS loops', async () => {
    await activateNativeKernels();
    const rng = new Rng(2);
    const z = rand(rng, 6 * 300).map((x) => x * 8);
    const x = rand(rng, 1000).map((v) => v * 3);
    const run = () =>
      tf.tidy(() => {
        const p = tf.softmax(tf.tensor2d(z, [6, 300])).dataSync();
        const xt = tf.tensor2d(x, [10, 100]);
        const w = tf.range(0, 1000).reshape([10, 100]);
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(geluTanh(t as tf.Tensor2D), w)))(xt).dataSync();
        return { p, y: geluTanh(xt).dataSync(), g };
      });
    const native = run();
    deactivateNativeKernels();
    const stock = run();
    expect(maxRel(native.p, stock.p)).toBeLessThan(1e-6);
    expect(maxRel(native.y, stock.y)).toBeLessThan(1e-6);
    expect(normRel(native.g, stock.g)).toBeLessThan(1e-6);
    let rowSum = 0;
    for (let j = 0; j < 300; j++) rowSum += native.p[j]!;
    expect(rowSum).toBeCloseTo(1, 5);
  });

  it('LayerNorm / RMSNorm and masked attention (values and gradients) agree with the JS kernels', async () => {
    await activateNativeKernels();
    expect(nativeStatus().kernels).toContain('XrecNormGrad');
    const rng = new Rng(4);
    const x = rand(rng, 6 * 40);
    const w = rand(rng, 40);
    const b = rand(rng, 40);
    const q = rand(rng, 4 * 9 * 8);
    const k = rand(rng, 4 * 9 * 8);
    const v = rand(rng, 4 * 9 * 8);
    const causal = Float32Array.from({ length: 81 }, (_, i) => (i % 9 <= Math.floor(i / 9) ? 0 : -1e9));
    const run = () =>
      tf.tidy(() => {
        const xt = tf.tensor2d(x, [6, 40]);
        const wt = tf.tensor1d(w);
        const bt = tf.tensor1d(b);
        const up = tf.range(0, 240).reshape([6, 40]).div(100);
        const ln = tf.grads((a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(layerNorm(a as tf.Tensor2D, ww as tf.Tensor1D, bb as tf.Tensor1D, 1e-5), up)))([xt, wt, bt]);
        const rms = tf.grads((a: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(rmsNorm(a as tf.Tensor2D, ww as tf.Tensor1D, 1e-6), up)))([xt, wt]);
        const mask = tf.tensor2d(causal, [9, 9]);
        const at = tf.grads((a: tf.Tensor, bb: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(fusedAttention(a as tf.Tensor3D, bb as tf.Tensor3D, c as tf.Tensor3D, mask), tf.range(0, 288).reshape([4, 9, 8]).div(50))))([
          tf.tensor3d(q, [4, 9, 8]),
          tf.tensor3d(k, [4, 9, 8]),
          tf.tensor3d(v, [4, 9, 8]),
        ]);
        return {
          y: layerNorm(xt, wt, bt, 1e-5).dataSync(),
          o: fusedAttention(tf.tensor3d(q, [4, 9, 8]), tf.tensor3d(k, [4, 9, 8]), tf.tensor3d(v, [4, 9, 8]), mask).dataSync(),
          grads: [...ln, ...rms, ...at].map((g) => g.dataSync()),
        };
      });
    const native = run();
    deactivateNativeKernels();
    const js = run();
    expect(maxRel(native.y, js.y)).toBeLessThan(1e-6);
    expect(maxRel(native.o, js.o)).toBeLessThan(1e-5);
    native.grads.forEach((g, i) => expect(normRel(g, js.grads[i]!), `gradient ${i}`).toBeLessThan(1e-5));
  });

  it('an AdamW step is bit-identical to the JS kernel', async () => {
    const rng = new Rng(3);
    const init = rand(rng, 257);
    const grad = rand(rng, 257);
    const step = async (): Promise<Float32Array> => {
      const v = tf.variable(tf.tensor1d(init), true, `adamw-native-test-${Math.random()}`);
      const opt = new AdamW(new Map([['w', v]]), { weightDecay: 0.1 }, () => true);
      for (let i = 0; i < 3; i++) tf.tidy(() => opt.applyGradients(new Map([['w', tf.tensor1d(grad)]]), 1e-2, tf.scalar(0.7)));
      const out = (await v.data()) as Float32Array;
      opt.dispose();
      v.dispose();
      return out;
    };
    await activateNativeKernels();
    const native = await step();
    deactivateNativeKernels();
    const js = await step();
    expect(Array.from(native)).toEqual(Array.from(js));
  });

  it('50 training steps of a small GPT give the losses of the wasm path to float tolerance', async () => {
    await activateNativeKernels();
    const native = await trainSmallGpt(50);
    deactivateNativeKernels();
    const wasm = await trainSmallGpt(50);
    expect(native[49]!).toBeLessThan(native[0]! - 0.5); // it learns
    expect(maxRel(native, wasm)).toBeLessThan(2e-3);
  });
});
