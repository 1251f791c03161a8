/** Softmax of scores + additive mask over one attention block (masked entries skipped) and its backward, each written in both layouts (`XrecMaskedSoftmax`, `XrecMaskedSoftmaxGrad`). */
import { registerJsKernel, type JsKernel } from './registry.js';

export const MASKED_SOFTMAX_KERNEL = 'XrecMaskedSoftmax';
export const MASKED_SOFTMAX_GRAD_KERNEL = 'XrecMaskedSoftmaxGrad';

// Row softmax of scores + additive mask for one [R, C] block, written as P [R, C] and Pᵀ [C, R], plus each
// row's span [lo, hi) of kept entries ([R, 2]). Entries whose mask is ≤ MASK_OFF (-1e9 in the model) are
// exactly 0 (as exp(-1e9 + ·) is in float32) and cost nothing; a row with no other entry keeps every entry, as
// a plain softmax of the float32 sums would (uniform). Inputs scores [R, C], mask [R, C] or [B·R, C] (attr block b).
const MASK_OFF = -1e8;
const maskedSoftmax: JsKernel = {
  name: MASKED_SOFTMAX_KERNEL,
  outShapes: (s) => [s[0]!, [s[0]![1]!, s[0]![0]!], [s[0]![0]!, 2]],
  compute: ([sc, mask], [p, pT, span], [shape], attrs) => {
    const [r, c] = shape as [number, number];
    const mo = ((attrs.block as number) ?? 0) * r * c;
    p!.fill(0);
    pT!.fill(0);
    for (let i = 0; i < r; i++) {
      const o = i * c;
      const mrow = mo + o;
      let lo = 0;
      while (lo < c && mask![mrow + lo]! <= MASK_OFF) lo++;
      let hi = c;
      const all = lo === c; // nothing kept: every entry takes part
      if (all) lo = 0;
      else while (mask![mrow + hi - 1]! <= MASK_OFF) hi--;
      span![2 * i] = lo;
      span![2 * i + 1] = hi;
      let mx = -Infinity;
      for (let j = lo; j < hi; j++) {
        const m = mask![mrow + j]!;
        if (!all && m <= MASK_OFF) continue;
        const x = Math.fround(sc![o + j]! + m);
        if (x > mx) mx = x;
      }
      let sum = 0;
      for (let j = lo; j < hi; j++) {
        const m = mask![mrow + j]!;
        if (!all && m <= MASK_OFF) continue;
        const e = Math.exp(Math.fround(sc![o + j]! + m) - mx);
        p![o + j] = e; // unnormalised for now
        sum += e;
      }
      const inv = 1 / sum;
      for (let j = lo; j < hi; j++) {
        const v = p![o + j]! * inv;
        p![o + j] = v;
        pT![j * r + i] = v;
      }
    }
  },
};

// Softmax backward for one block: dS = P ⊙ (dP - rowsum(dP ⊙ P)), written as dS [R, C] and dSᵀ [C, R]; only the
// spans of the forward pass are visited (P is 0 elsewhere). Inputs probs, dprobs, span.
const maskedSoftmaxGrad: JsKernel = {
  name: MASKED_SOFTMAX_GRAD_KERNEL,
  outShapes: (s) => [s[0]!, [s[0]![1]!, s[0]![0]!]],
  compute: ([p, dp, span], [ds, dsT], [shape]) => {
    const [r, c] = shape as [number, number];
    ds!.fill(0);
    dsT!.fill(0);
    for (let i = 0; i < r; i++) {
      const o = i * c;
      const lo = span![2 * i]!;
      const hi = span![2 * i + 1]!;
      let dot = 0;
      for (let j = lo; j < hi; j++) dot += p![o + j]! * dp![o + j]!;
      for (let j = lo; j < hi; j++) {
        const v = p![o + j]! * (dp![o + j]! - dot);
        ds![o + j] = v;
        dsT![j * r + i] = v;
      }
    }
  },
};

export function registerMaskedSoftmaxKernels(): void {
  registerJsKernel(maskedSoftmax, ['scores', 'mask']);
  registerJsKernel(maskedSoftmaxGrad, ['probs', 'dprobs', 'span']);
}
