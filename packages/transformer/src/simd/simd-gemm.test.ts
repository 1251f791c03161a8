import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { initBackend } from '../backend.js';
import type { HeapBackend } from '../kernels/batch-matmul.js';
import { activateNativeKernels, deactivateNativeKernels } from '../native-kernels.js';
import { transposeFlagsFast } from '../matmul-flags.js';
import { activateSimdKernels, deactivateSimdKernels, simdStatus } from '../simd-kernels.js';
import { GEMM_SHAPE } from './gemm-wasm.js';
import { trainSmallGpt } from '../../test/small-gpt.js';
import { simdGemm, type WasmHeapModule } from './simd-gemm.js';
// @ts-expect-error -- a plain .mjs build script without type declarations
import { simdGemmSource } from '../../scripts/simd-gemm-source.mjs';
import { maxRel, rand, refMatMul } from '../../test/float-reference.js';

// The wasm SIMD matmul is checked against a float64 reference and against tfjs-wasm's own kernel, which
// deactivateSimdKernels puts back in the same process. The native kernels (when built) are turned off for
// this file, since the SIMD kernels only run without them.

const backend = await initBackend({ force: 'wasm' });
const nativeWasOn = backend.native.active;

const { MR, NV, KC, MC, NC } = GEMM_SHAPE;
const NR = 4 * NV;

describe('wasm SIMD matmul', () => {
  beforeAll(async () => {
    deactivateNativeKernels();
    await activateSimdKernels();
  });
  afterAll(async () => {
    deactivateSimdKernels();
    if (nativeWasOn) await activateNativeKernels();
  });

  it('is the module scripts/simd-gemm-wat.mjs assembles (gemm-wasm.ts is not stale)', async () => {
    const committed = readFileSync(new URL('./gemm-wasm.ts', import.meta.url), 'utf8');
    expect(committed).toBe(await simdGemmSource());
  });

  it('is active on wasm without the native kernels, passes transpose flags, and says so', () => {
    expect(simdStatus()).toEqual({ active: true, kernels: ['BatchMatMul'] });
    expect(transposeFlagsFast()).toBe(true);
  });

  it('matMul with every transpose flag, on tile and block edges, equals a float64 reference', () => {
    const rng = new Rng(1);
    const before = tf.memory().numTensors;
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [MR - 1, NR + 1, 3],
      [MR + 1, NR - 1, KC + 1],
      [2 * MR, 2 * NR, KC],
      [MC + MR + 2, 3, 7],
      [3, NC + NR + 1, 5],
      [1, 300, 129],
      [37, 19, 2 * KC + 3],
    ];
    for (const [m, n, k] of shapes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const av = rand(rng, m * k);
          const bv = rand(rng, k * n);
          const got = tf.tidy(() => tf.matMul(tf.tensor2d(av, ta ? [k, m] : [m, k]), tf.tensor2d(bv, tb ? [n, k] : [k, n]), ta, tb).dataSync());
          const err = maxRel(got, refMatMul(av, bv, m, n, k, ta, tb));
          // float32 sums of k products: rounding grows like √k
          expect(err, `[${m}, ${n}, ${k}] ta=${ta} tb=${tb}`).toBeLessThan(4e-6 * Math.sqrt(k));
        }
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('batched and broadcast matMul, and an empty inner dimension, equal the reference', () => {
    const rng = new Rng(2);
    const av = rand(rng, 3 * 4 * 5);
    const bv = rand(rng, 5 * 6);
    const got = tf.tidy(() => tf.matMul(tf.tensor3d(av, [3, 4, 5]), tf.tensor3d(bv, [1, 5, 6])).dataSync());
    for (let g = 0; g < 3; g++) expect(maxRel(got.subarray(g * 24, (g + 1) * 24), refMatMul(av.subarray(g * 20, (g + 1) * 20), bv, 4, 6, 5, false, false))).toBeLessThan(1e-5);
    const tb = tf.tidy(() => tf.matMul(tf.tensor3d(bv, [1, 6, 5]), tf.tensor3d(av, [3, 4, 5]), false, true).dataSync());
    for (let g = 0; g < 3; g++) expect(maxRel(tb.subarray(g * 24, (g + 1) * 24), refMatMul(bv, av.subarray(g * 20, (g + 1) * 20), 6, 4, 5, false, true))).toBeLessThan(1e-5);
    const empty = tf.tidy(() => tf.matMul(tf.ones([3, 0]), tf.ones([0, 4])).dataSync());
    expect(Array.from(empty)).toEqual(new Array(12).fill(0));
  });

  it('writes C and nothing else on the heap', async () => {
    const be = tf.backend() as unknown as HeapBackend & { wasm: WasmHeapModule };
    const gemm = await simdGemm(be.wasm);
    const [m, n, k] = [MR + 2, NR + 3, 9];
    const size = 4 * (m * k + k * n + m * n) + 64;
    const rng = new Rng(3);
    const buf = tf.tensor1d(rand(rng, size));
    const heap = be.typedArrayFromHeap({ dataId: buf.dataId, shape: buf.shape, dtype: 'float32' }) as Float32Array;
    const snapshot = heap.slice();
    const a = heap.subarray(16, 16 + m * k);
    const b = heap.subarray(32 + m * k, 32 + m * k + k * n);
    const c0 = 48 + m * k + k * n;
    const c = heap.subarray(c0, c0 + m * n);
    gemm(false, true, 1, m, n, k, a, 0, b, 0, c, 0);
    const want = refMatMul(snapshot.slice(16, 16 + m * k), snapshot.slice(32 + m * k, 32 + m * k + k * n), m, n, k, false, true);
    expect(maxRel(c, want)).toBeLessThan(1e-5);
    for (let i = 0; i < heap.length; i++) if (i < c0 || i >= c0 + m * n) expect(heap[i], `float ${i}`).toBe(snapshot[i]);
    buf.dispose();
  });

  it('rejects operands that are not on the tfjs-wasm heap', async () => {
    const be = tf.backend() as unknown as { wasm: WasmHeapModule };
    const gemm = await simdGemm(be.wasm);
    const x = new Float32Array(4);
    expect(() => gemm(false, false, 1, 2, 2, 1, x, 0, x, 0, x, 0)).toThrow(/views of the tfjs-wasm heap/);
  });

  it('20 training steps of a small GPT give the losses of tfjs-wasm kernel to float tolerance', async () => {
    const simd = await trainSmallGpt(20);
    deactivateSimdKernels();
    const stock = await trainSmallGpt(20);
    await activateSimdKernels();
    expect(simd[19]!).toBeLessThan(simd[0]! - 0.3); // it learns
    expect(maxRel(simd, stock)).toBeLessThan(1e-3);
  });
});
