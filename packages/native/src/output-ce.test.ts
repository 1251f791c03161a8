import { describe, expect, it } from 'vitest';
import { loadNativeKernels } from './index.js';

const load = loadNativeKernels();
const k = load.kernels;

/** float64 reference: per-row loss, dh = G W_vd, dW_vd = Gᵀ h for G = diag(weight)(softmax(h W_vdᵀ) − Y). */
function reference(h: Float32Array, wVd: Float32Array, labels: Int32Array, weight: Float32Array, n: number, d: number, v: number) {
  const loss = new Float64Array(n);
  const dh = new Float64Array(n * d);
  const dw = new Float64Array(v * d);
  for (let i = 0; i < n; i++) {
    const z = new Float64Array(v);
    for (let j = 0; j < v; j++) for (let c = 0; c < d; c++) z[j] = z[j]! + h[i * d + c]! * wVd[j * d + c]!;
    const mx = Math.max(...z);
    const e = z.map((x) => Math.exp(x - mx));
    const sum = e.reduce((a, b) => a + b, 0);
    if (weight[i] === 0) continue;
    loss[i] = Math.log(sum) + mx - z[labels[i]!]!;
    for (let j = 0; j < v; j++) {
      const g = weight[i]! * (e[j]! / sum - (j === labels[i] ? 1 : 0));
      for (let c = 0; c < d; c++) {
        dh[i * d + c] = dh[i * d + c]! + g * wVd[j * d + c]!;
        dw[j * d + c] = dw[j * d + c]! + g * h[i * d + c]!;
      }
    }
  }
  return { loss, dh, dw };
}

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number) => {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (tol + Math.abs(want[i]!)));
  return worst;
};

describe.skipIf(!k)(`@xrec/native outputCrossEntropy ${k ? '' : `(not available: ${load.reason})`}`, () => {
  const n = 11;
  const d = 5;
  const v = 13;
  const h = Float32Array.from({ length: n * d }, (_, i) => Math.sin(1.3 * i));
  const wVd = Float32Array.from({ length: v * d }, (_, i) => Math.cos(0.7 * i) * 1.5);
  const wDv = new Float32Array(v * d);
  for (let j = 0; j < v; j++) for (let c = 0; c < d; c++) wDv[c * v + j] = wVd[j * d + c]!;
  const labels = Int32Array.from({ length: n }, (_, i) => (i * 5) % v);
  const weight = Float32Array.from({ length: n }, (_, i) => (i === 3 || i === 8 ? 0 : 1 / 9)); // rows 3 and 8 ignored
  const ref = reference(h, wVd, labels, weight, n, d, v);

  for (const [layout, w] of [
    [0, wVd],
    [1, wDv],
  ] as const) {
    for (const chunk of [1, 4, 64]) {
      it(`layout ${layout === 0 ? '[v, d]' : '[d, v]'}, blocks of ${chunk} rows: loss and both gradients = the float64 reference`, () => {
        const loss = new Float32Array(n);
        const dh = new Float32Array(n * d);
        const dw = new Float32Array(v * d).fill(123); // overwritten, not accumulated into
        k!.outputCrossEntropy(h, w, layout, labels, weight, loss, dh, dw, n, d, v, chunk);
        expect(close(loss, ref.loss, 1e-5)).toBeLessThan(1e-4);
        expect(loss[3]).toBe(0);
        expect(close(dh, ref.dh, 1e-5)).toBeLessThan(1e-4);
        const dwVd = layout === 0 ? dw : Float32Array.from({ length: v * d }, (_, i) => dw[(i % d) * v + Math.floor(i / d)]!);
        expect(close(dwVd, ref.dw, 1e-5)).toBeLessThan(1e-4);
      });
    }
  }

  it('loss only (no gradient arrays) gives the same loss', () => {
    const loss = new Float32Array(n);
    k!.outputCrossEntropy(h, wVd, 0, labels, weight, loss, null, null, n, d, v, 4);
    expect(close(loss, ref.loss, 1e-5)).toBeLessThan(1e-4);
  });

  it('rejects a label outside the vocabulary and short arrays, naming them', () => {
    const bad = Int32Array.from(labels);
    bad[2] = v;
    expect(() => k!.outputCrossEntropy(h, wVd, 0, bad, weight, new Float32Array(n), null, null, n, d, v, 4)).toThrow(/label 13 at row 2 is outside \[0, 13\)/);
    expect(() => k!.outputCrossEntropy(h, wVd, 0, labels, weight, new Float32Array(n), new Float32Array(3), null, n, d, v, 4)).toThrow(/dh needs 55 elements but has 3/);
    expect(() => k!.outputCrossEntropy(h, wVd, 0, Float32Array.from(labels) as unknown as Int32Array, weight, new Float32Array(n), null, null, n, d, v, 4)).toThrow(
      /argument 3 must be an Int32Array/,
    );
  });
});
