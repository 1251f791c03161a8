import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { initBackend } from './backend.js';
import { geluTanh, layerNorm, linear2d, transpose2d, matMul2d, matMulBT, outputCrossEntropy, rmsNorm, softmaxCrossEntropy } from './ops.js';
import { registerCpuCeGrad } from './kernels/cross-entropy.js';
import { TRANSPOSE_2D_KERNEL } from './kernels/transpose.js';
import { applyRope, ropeTables } from './rope.js';

// Gradients of the custom ops on wasm are checked (1) against the cpu backend running plain tfjs ops with
// tfjs's own gradients and (2) against central finite differences of a float64 JS implementation.

function randn(rng: Rng, n: number, std = 1): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal(0, std));
}

/** ‖a - b‖ / ‖b‖ */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-12);
}

/** Central-difference gradient of f at x (float64). */
function fdGrad(f: (x: Float64Array) => number, x: Float64Array, eps = 1e-5): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    x[i] = xi + eps;
    const fp = f(x);
    x[i] = xi - eps;
    const fm = f(x);
    x[i] = xi;
    g[i] = (fp - fm) / (2 * eps);
  }
  return g;
}

function matmulF64(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) c[i * m + j]! += a[i * k + p]! * b[p * m + j]!;
  return c;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Gradients of scalar fn(...inputs) on a backend, from float64 data. */
async function gradsOn(backend: 'wasm' | 'cpu', shapes: number[][], data: Float64Array[], fn: (...x: any[]) => tf.Tensor): Promise<{ value: number; grads: Float32Array[] }> {
  await initBackend({ force: backend });
  return tf.tidy(() => {
    const xs = data.map((d, i) => tf.tensor(Float32Array.from(d), shapes[i]!));
    const { value, grads } = tf.valueAndGrads((...a: tf.Tensor[]) => fn(...a) as tf.Scalar)(xs);
    return { value: value.dataSync()[0]!, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

describe('custom ops: values and gradients vs cpu backend and finite differences', () => {
  beforeAll(async () => {
    await initBackend({ force: 'wasm' });
    registerCpuCeGrad();
  });
  afterAll(async () => {
    await initBackend({ force: 'wasm' });
  });

  it('matMul2d: explicit-transpose gradient', async () => {
    const rng = new Rng(1);
    const [n, k, m] = [5, 7, 3];
    const a = randn(rng, n * k);
    const b = randn(rng, k * m);
    const r = randn(rng, n * m); // loss = Σ (a@b) ⊙ r
    const lossOf = (f: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D) => (x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(f(x as tf.Tensor2D, y as tf.Tensor2D), tf.tensor2d(Float32Array.from(r), [n, m])));
    const wasm = await gradsOn('wasm', [[n, k], [k, m]], [a, b], lossOf(matMul2d));
    const cpu = await gradsOn('cpu', [[n, k], [k, m]], [a, b], lossOf((x, y) => tf.matMul(x, y)));
    expect(Math.abs(wasm.value - cpu.value)).toBeLessThan(1e-4);
    for (let i = 0; i < 2; i++) expect(relErr(wasm.grads[i]!, cpu.grads[i]!)).toBeLessThan(1e-5);
    const fa = fdGrad((x) => dot(matmulF64(x, b, n, k, m), r), a.slice());
    const fb = fdGrad((y) => dot(matmulF64(a, y, n, k, m), r), b.slice());
    expect(relErr(wasm.grads[0]!, fa)).toBeLessThan(1e-3);
    expect(relErr(wasm.grads[1]!, fb)).toBeLessThan(1e-3);
  });

  it('matMul2d skips the gradient of a frozen variable but still returns the input gradient', async () => {
    await initBackend({ force: 'wasm' });
    const w = tf.variable(tf.tensor2d([[1, 2], [3, 4]]), false);
    const x = tf.tensor2d([[1, 1]]);
    const g = tf.grad((xx: tf.Tensor) => tf.sum(matMul2d(xx as tf.Tensor2D, w as unknown as tf.Tensor2D)))(x);
    expect(Array.from(g.dataSync())).toEqual([3, 7]);
    tf.dispose([w, x, g]);
  });

  it('matMulBT: a @ bᵀ with explicit-transpose gradient', async () => {
    const rng = new Rng(2);
    const [n, k, m] = [4, 6, 9];
    const a = randn(rng, n * k);
    const b = randn(rng, m * k);
    const r = randn(rng, n * m);
    const bT = (y: Float64Array): Float64Array => {
      const t = new Float64Array(k * m);
      for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) t[j * m + i] = y[i * k + j]!;
      return t;
    };
    const lossOf = (f: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D) => (x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(f(x as tf.Tensor2D, y as tf.Tensor2D), tf.tensor2d(Float32Array.from(r), [n, m])));
    const wasm = await gradsOn('wasm', [[n, k], [m, k]], [a, b], lossOf(matMulBT));
    const cpu = await gradsOn('cpu', [[n, k], [m, k]], [a, b], lossOf((x, y) => tf.matMul(x, y, false, true)));
    for (let i = 0; i < 2; i++) expect(relErr(wasm.grads[i]!, cpu.grads[i]!)).toBeLessThan(1e-5);
    const fa = fdGrad((x) => dot(matmulF64(x, bT(b), n, k, m), r), a.slice());
    const fb = fdGrad((y) => dot(matmulF64(a, bT(y), n, k, m), r), b.slice());
    expect(relErr(wasm.grads[0]!, fa)).toBeLessThan(1e-3);
    expect(relErr(wasm.grads[1]!, fb)).toBeLessThan(1e-3);
  });

  it('softmaxCrossEntropy: hand-written gradient with ignore-index masking', async () => {
    const rng = new Rng(3);
    const [n, v] = [6, 11];
    const z = randn(rng, n * v, 2);
    const labels = [3, -100, 0, 10, -100, 7];
    const ceF64 = (x: Float64Array): number => {
      let s = 0;
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (labels[i] === -100) continue;
        const row = x.subarray(i * v, (i + 1) * v);
        const mx = Math.max(...row);
        const lse = mx + Math.log(row.reduce((acc, t) => acc + Math.exp(t - mx), 0));
        s += lse - row[labels[i]!]!;
        k += 1;
      }
      return s / k;
    };
    const plainCe = (x: tf.Tensor): tf.Scalar => {
      const keep = labels.map((l) => (l === -100 ? 0 : 1));
      const onehot = tf.oneHot(tf.tensor1d(labels.map((l) => Math.max(l, 0)), 'int32'), v);
      const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(x), onehot), 1));
      const total = keep.reduce<number>((a, b) => a + b, 0);
      return tf.div(tf.sum(tf.mul(nll, tf.tensor1d(keep))), tf.scalar(total)) as tf.Scalar;
    };
    const wasm = await gradsOn('wasm', [[n, v]], [z], (x) => softmaxCrossEntropy(x as tf.Tensor2D, labels));
    const cpuPlain = await gradsOn('cpu', [[n, v]], [z], plainCe);
    const cpuCustom = await gradsOn('cpu', [[n, v]], [z], (x) => softmaxCrossEntropy(x as tf.Tensor2D, labels));
    expect(Math.abs(wasm.value - ceF64(z))).toBeLessThan(1e-5);
    expect(Math.abs(wasm.value - cpuPlain.value)).toBeLessThan(1e-5);
    expect(relErr(wasm.grads[0]!, cpuPlain.grads[0]!)).toBeLessThan(1e-5);
    expect(relErr(cpuCustom.grads[0]!, cpuPlain.grads[0]!)).toBeLessThan(1e-5);
    const fd = fdGrad(ceF64, z.slice());
    expect(relErr(wasm.grads[0]!, fd)).toBeLessThan(1e-3);
    // Ignored rows get exactly zero gradient.
    expect(Array.from(wasm.grads[0]!.subarray(v, 2 * v)).every((g) => g === 0)).toBe(true);
  });

  it('softmaxCrossEntropy: extreme logits stay finite; all-ignored gives 0; bad labels are errors', async () => {
    await initBackend({ force: 'wasm' });
    const z = tf.tensor2d([[1000, 0, -1000], [0, 0, 0]]);
    const l = softmaxCrossEntropy(z, [2, 1]).dataSync()[0]!;
    expect(l).toBeCloseTo((2000 + Math.log(3)) / 2, 3);
    expect(softmaxCrossEntropy(z, [-100, -100]).dataSync()[0]).toBe(0);
    expect(() => softmaxCrossEntropy(z, [3, 0])).toThrow(/label 3 at row 0 is outside \[0, 3\)/);
    expect(() => softmaxCrossEntropy(z, [0])).toThrow(/1 labels for 2 logit rows/);
    z.dispose();
  });

  it('geluTanh: closed-form gradient', async () => {
    const rng = new Rng(4);
    const x = randn(rng, 40, 2);
    const r = randn(rng, 40);
    const geluF64 = (t: number): number => 0.5 * t * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (t + 0.044715 * t ** 3)));
    const plain = (t: tf.Tensor): tf.Tensor =>
      tf.mul(tf.mul(t, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(t, tf.mul(0.044715, tf.pow(t, 3)))))));
    const rT = () => tf.tensor1d(Float32Array.from(r));
    const wasm = await gradsOn('wasm', [[40]], [x], (t) => tf.sum(tf.mul(geluTanh(t), rT())));
    const cpu = await gradsOn('cpu', [[40]], [x], (t) => tf.sum(tf.mul(plain(t), rT())));
    expect(Math.abs(wasm.value - cpu.value)).toBeLessThan(1e-4);
    expect(relErr(wasm.grads[0]!, cpu.grads[0]!)).toBeLessThan(1e-5);
    const fd = fdGrad((t) => t.reduce((s, ti, i) => s + geluF64(ti) * r[i]!, 0), x.slice());
    expect(relErr(wasm.grads[0]!, fd)).toBeLessThan(1e-3);
  });

  it('UnsortedSegmentSum kernel on wasm = cpu; embedding (gather) gradient = cpu and finite differences', async () => {
    const rng = new Rng(5);
    const [V, d] = [9, 4];
    const e = randn(rng, V * d);
    const ids = [3, 0, 3, 8, 5, 3];
    const r = randn(rng, ids.length * d);
    const seg = async (b: 'wasm' | 'cpu') => {
      await initBackend({ force: b });
      return tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d(Float32Array.from(r), [ids.length, d]), tf.tensor1d(ids, 'int32'), V).dataSync());
    };
    expect(Array.from(await seg('wasm'))).toEqual(Array.from(await seg('cpu')));
    const lossFn = (t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d(ids, 'int32')), tf.tensor2d(Float32Array.from(r), [ids.length, d])));
    const wasm = await gradsOn('wasm', [[V, d]], [e], lossFn);
    const cpu = await gradsOn('cpu', [[V, d]], [e], lossFn);
    expect(relErr(wasm.grads[0]!, cpu.grads[0]!)).toBeLessThan(1e-6);
    const fd = fdGrad((t) => ids.reduce((s, id, i) => s + dot(t.subarray(id * d, id * d + d), r.subarray(i * d, i * d + d)), 0), e.slice());
    expect(relErr(wasm.grads[0]!, fd)).toBeLessThan(1e-3);
  });
  it('linear2d: x W + b with the bias gradient as 1ᵀ dY', async () => {
    const rng = new Rng(6);
    const [n, k, m] = [5, 4, 3];
    const x = randn(rng, n * k);
    const w = randn(rng, k * m);
    const b = randn(rng, m);
    const r = randn(rng, n * m);
    const rT = () => tf.tensor2d(Float32Array.from(r), [n, m]);
    const shapes = [[n, k], [k, m], [m]];
    const wasm = await gradsOn('wasm', shapes, [x, w, b], (a, c, d) => tf.sum(tf.mul(linear2d(a, c, d), rT())));
    const cpu = await gradsOn('cpu', shapes, [x, w, b], (a, c, d) => tf.sum(tf.mul(tf.add(tf.matMul(a, c), d), rT())));
    for (let i = 0; i < 3; i++) expect(relErr(wasm.grads[i]!, cpu.grads[i]!)).toBeLessThan(1e-5);
    const f = (xx: Float64Array, ww: Float64Array, bb: Float64Array): number => {
      const y = matmulF64(xx, ww, n, k, m);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) y[i * m + j]! += bb[j]!;
      return dot(y, r);
    };
    expect(relErr(wasm.grads[0]!, fdGrad((v) => f(v, w, b), x.slice()))).toBeLessThan(1e-3);
    expect(relErr(wasm.grads[1]!, fdGrad((v) => f(x, v, b), w.slice()))).toBeLessThan(1e-3);
    expect(relErr(wasm.grads[2]!, fdGrad((v) => f(x, w, v), b.slice()))).toBeLessThan(1e-3);
  });

  for (const rms of [false, true]) {
    it(`${rms ? 'rmsNorm' : 'layerNorm'}: fused kernel values and hand-written backward`, async () => {
      const rng = new Rng(rms ? 7 : 8);
      const [n, d] = [4, 6];
      const eps = 1e-5;
      const x = randn(rng, n * d, 2);
      const w = Float64Array.from(randn(rng, d, 0.3), (v) => v + 1);
      const b = randn(rng, d, 0.3);
      const r = randn(rng, n * d);
      const rT = () => tf.tensor2d(Float32Array.from(r), [n, d]);
      const normF64 = (xx: Float64Array, ww: Float64Array, bb: Float64Array): number => {
        let s = 0;
        for (let i = 0; i < n; i++) {
          const row = xx.subarray(i * d, (i + 1) * d);
          const mean = rms ? 0 : row.reduce((a, c) => a + c, 0) / d;
          const v = row.reduce((a, c) => a + (c - mean) ** 2, 0) / d;
          for (let j = 0; j < d; j++) s += (((row[j]! - mean) / Math.sqrt(v + eps)) * ww[j]! + (rms ? 0 : bb[j]!)) * r[i * d + j]!;
        }
        return s;
      };
      const plain = (a: tf.Tensor, c: tf.Tensor, e?: tf.Tensor) => {
        const mean = rms ? tf.scalar(0) : tf.mean(a, 1, true);
        const xc = tf.sub(a, mean);
        const y = tf.mul(tf.div(xc, tf.sqrt(tf.add(tf.mean(tf.square(xc), 1, true), eps))), c);
        return e ? tf.add(y, e) : y;
      };
      const shapes = rms ? [[n, d], [d]] : [[n, d], [d], [d]];
      const data = rms ? [x, w] : [x, w, b];
      const ours = (a: tf.Tensor2D, c: tf.Tensor1D, e?: tf.Tensor1D) => (rms ? rmsNorm(a, c, eps) : layerNorm(a, c, e, eps));
      const wasm = await gradsOn('wasm', shapes, data, (a, c, e) => tf.sum(tf.mul(ours(a, c, e), rT())));
      const cpu = await gradsOn('cpu', shapes, data, (a, c, e) => tf.sum(tf.mul(plain(a, c, e), rT())));
      expect(Math.abs(wasm.value - normF64(x, w, b))).toBeLessThan(1e-4);
      for (let i = 0; i < data.length; i++) expect(relErr(wasm.grads[i]!, cpu.grads[i]!)).toBeLessThan(1e-4);
      expect(relErr(wasm.grads[0]!, fdGrad((v) => normF64(v, w, b), x.slice()))).toBeLessThan(1e-3);
      expect(relErr(wasm.grads[1]!, fdGrad((v) => normF64(x, v, b), w.slice()))).toBeLessThan(1e-3);
      if (!rms) expect(relErr(wasm.grads[2]!, fdGrad((v) => normF64(x, w, v), b.slice()))).toBeLessThan(1e-3);
    });
  }

  for (const layout of ['vd', 'dv'] as const) {
    it(`outputCrossEntropy (${layout}): fused output layer + CE = matmul then softmaxCrossEntropy`, async () => {
      const rng = new Rng(layout === 'vd' ? 9 : 10);
      const [n, d, v] = [5, 4, 7];
      const h = randn(rng, n * d);
      const w = randn(rng, v * d);
      const labels = [1, -100, 6, 0, 3];
      const wShape = layout === 'vd' ? [v, d] : [d, v];
      const ref = (a: tf.Tensor, c: tf.Tensor) => {
        const z = layout === 'vd' ? tf.matMul(a, c, false, true) : tf.matMul(a, c);
        const keep = labels.map((l) => (l === -100 ? 0 : 1));
        const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(z), tf.oneHot(tf.tensor1d(labels.map((l) => Math.max(l, 0)), 'int32'), v)), 1));
        return tf.div(tf.sum(tf.mul(nll, tf.tensor1d(keep))), tf.scalar(keep.reduce<number>((a2, b2) => a2 + b2, 0)));
      };
      const wasm = await gradsOn('wasm', [[n, d], wShape], [h, w], (a, c) => outputCrossEntropy(a, c, layout, labels));
      const cpu = await gradsOn('cpu', [[n, d], wShape], [h, w], ref);
      const cpuFused = await gradsOn('cpu', [[n, d], wShape], [h, w], (a, c) => outputCrossEntropy(a, c, layout, labels));
      expect(Math.abs(wasm.value - cpu.value)).toBeLessThan(1e-5);
      for (let i = 0; i < 2; i++) {
        expect(relErr(wasm.grads[i]!, cpu.grads[i]!)).toBeLessThan(1e-5);
        expect(relErr(cpuFused.grads[i]!, cpu.grads[i]!)).toBeLessThan(1e-5);
      }
    });
  }
  it('outputCrossEntropy: confident logits, larger vocabulary, frozen weight — gradients = plain tfjs ops', async () => {
    // P W - W[y] and hᵀP - scatter replace (P - Y) W and hᵀ(P - Y): check accuracy where P is peaked.
    const rng = new Rng(11);
    const [n, d, v] = [24, 16, 300];
    const h = randn(rng, n * d, 3);
    const w = randn(rng, v * d, 1);
    const labels = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? -100 : rng.int(0, v - 1)));
    const ref = (a: tf.Tensor, c: tf.Tensor) => {
      const keep = labels.map((l) => (l === -100 ? 0 : 1));
      const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(tf.matMul(a, c, false, true)), tf.oneHot(tf.tensor1d(labels.map((l) => Math.max(l, 0)), 'int32'), v)), 1));
      return tf.div(tf.sum(tf.mul(nll, tf.tensor1d(keep))), tf.scalar(keep.reduce<number>((a2, b2) => a2 + b2, 0)));
    };
    const wasm = await gradsOn('wasm', [[n, d], [v, d]], [h, w], (a, c) => outputCrossEntropy(a, c, 'vd', labels));
    const cpu = await gradsOn('cpu', [[n, d], [v, d]], [h, w], ref);
    expect(Math.abs(wasm.value - cpu.value)).toBeLessThan(1e-4 * Math.max(1, Math.abs(cpu.value)));
    expect(relErr(wasm.grads[0]!, cpu.grads[0]!)).toBeLessThan(1e-5);
    expect(relErr(wasm.grads[1]!, cpu.grads[1]!)).toBeLessThan(1e-5);
    // Frozen (non-trainable) weight: the input gradient is unchanged and the weight gets none.
    await initBackend({ force: 'wasm' });
    const dh = tf.tidy(() => {
      const wv = tf.variable(tf.tensor2d(Float32Array.from(w), [v, d]), false);
      const g = tf.grad((a: tf.Tensor) => outputCrossEntropy(a as tf.Tensor2D, wv as unknown as tf.Tensor2D, 'vd', labels))(tf.tensor2d(Float32Array.from(h), [n, d]));
      const out = g.dataSync() as Float32Array;
      wv.dispose();
      return out;
    });
    expect(relErr(dh, cpu.grads[0]!)).toBeLessThan(1e-5);
  });

  it('row-copy GatherV2 (axis 0) and SplitV (last axis of 2-D) on wasm = cpu backend, with fallbacks for other cases', async () => {
    const rng = new Rng(12);
    const cases = async (backend: 'wasm' | 'cpu'): Promise<number[][]> => {
      await initBackend({ force: backend });
      return tf.tidy(() => {
        const e = tf.tensor2d(Float32Array.from(randn(rng.fork('e'), 50 * 6)), [50, 6]);
        const e3 = tf.tensor3d(Float32Array.from(randn(rng.fork('e3'), 7 * 2 * 3)), [7, 2, 3]);
        const ei = tf.tensor2d(Int32Array.from({ length: 20 }, (_, i) => i * 3 - 11), [10, 2], 'int32');
        const v = tf.tensor1d(Float32Array.from(randn(rng.fork('v'), 9)));
        const ids = tf.tensor1d([3, 0, 49, 3, 17], 'int32');
        const ids2 = tf.tensor2d([[1, 6], [0, 0]], [2, 2], 'int32');
        const x = tf.tensor2d(Float32Array.from(randn(rng.fork('x'), 4 * 9)), [4, 9]);
        const outs: tf.Tensor[] = [
          tf.gather(e, ids), tf.gather(e3, ids2), tf.gather(ei, tf.tensor1d([9, 2], 'int32')), tf.gather(v, tf.tensor1d([8, 0, 4], 'int32')),
          tf.gather(e, tf.tensor1d([1, 2], 'int32'), 1), // axis 1: original kernel
          ...tf.split(x, 3, 1), ...tf.split(x, [2, 7], -1), ...tf.split(x, 2, 0), // axis 0: original kernel
        ];
        return outs.map((t) => [...t.shape, ...Array.from(t.dataSync())]);
      });
    };
    const wasm = await cases('wasm');
    const cpu = await cases('cpu');
    expect(wasm).toEqual(cpu);
    await initBackend({ force: 'wasm' });
  });

  it('transpose2d kernel equals tf.transpose on wasm and cpu, for tall and wide matrices', async () => {
    for (const b of ['wasm', 'cpu'] as const) {
      await initBackend({ force: b });
      for (const [r, c] of [[3, 70], [130, 5], [64, 64], [1, 9]] as const) {
        const x = tf.tensor2d(Float32Array.from({ length: r * c }, (_, i) => i * 0.5 - 7), [r, c]);
        const a = transpose2d(x);
        expect(a.shape).toEqual([c, r]);
        expect(Array.from(a.dataSync())).toEqual(Array.from(tf.transpose(x).dataSync()));
        tf.dispose([x, a]);
      }
      // [G, r, c] -> [G, c, r] slab by slab (used by the fused attention)
      const x3 = tf.tensor3d(Float32Array.from({ length: 3 * 5 * 7 }, (_, i) => i * 0.25 - 3), [3, 5, 7]);
      const t3 = tf.engine().runKernel(TRANSPOSE_2D_KERNEL, { x: x3 }, {}) as tf.Tensor;
      expect(t3.shape).toEqual([3, 7, 5]);
      expect(Array.from(t3.dataSync())).toEqual(Array.from(tf.transpose(x3, [0, 2, 1]).dataSync()));
      tf.dispose([x3, t3]);
    }
    await initBackend({ force: 'wasm' });
  });
  it('RoPE kernel (rotate-half, fused both ways) = reverse-based tfjs ops, and its gradient = finite differences', async () => {
    const rng = new Rng(11);
    const [n, H, hd] = [3, 2, 4];
    const x = randn(rng, n * H * hd);
    const r = randn(rng, n * H * hd);
    const pos = [0, 5, 2];
    const ref = (t: tf.Tensor, tb: { cos: tf.Tensor; sinSigned: tf.Tensor }) => {
      const sw = tf.reshape(tf.reverse(tf.reshape(t, [n * H, 2, hd / 2]), 1), [n, H * hd]);
      return tf.add(tf.mul(t, tb.cos), tf.mul(sw, tb.sinSigned));
    };
    const rT = () => tf.tensor2d(Float32Array.from(r), [n, H * hd]);
    const wasm = await gradsOn('wasm', [[n, H * hd]], [x], (t) => tf.sum(tf.mul(applyRope(t, ropeTables(pos, H, hd, 10000), H, hd), rT())));
    const cpu = await gradsOn('cpu', [[n, H * hd]], [x], (t) => tf.sum(tf.mul(ref(t, ropeTables(pos, H, hd, 10000)), rT())));
    expect(Math.abs(wasm.value - cpu.value)).toBeLessThan(1e-5);
    expect(relErr(wasm.grads[0]!, cpu.grads[0]!)).toBeLessThan(1e-5);
    const ropeF64 = (v: Float64Array): number => {
      let s2 = 0;
      for (let i = 0; i < n; i++) for (let h = 0; h < H; h++) for (let j = 0; j < hd; j++) {
        const o = i * H * hd + h * hd;
        const jj = j % (hd / 2);
        const ang = Math.fround(pos[i]! * Math.fround(1 / Math.fround(10000 ** ((2 * jj) / hd))));
        const rot = j < hd / 2 ? -v[o + j + hd / 2]! : v[o + j - hd / 2]!;
        s2 += (v[o + j]! * Math.cos(ang) + rot * Math.sin(ang)) * r[o + j]!;
      }
      return s2;
    };
    expect(Math.abs(wasm.value - ropeF64(x))).toBeLessThan(1e-4);
    expect(relErr(wasm.grads[0]!, fdGrad(ropeF64, x.slice()))).toBeLessThan(1e-3);
  });
});
