/**
 * Kernels the wasm backend lacks or runs slowly (see shared STACK-NOTES.md). Registered once by
 * {@link registerWasmFixes}:
 *
 * - `UnsortedSegmentSum` (wasm has none; it is the gradient of `gather`, i.e. of embedding lookups):
 *   `out[s, :] = Σ_{r : ids[r] = s} x[r, :]`, ids outside `[0, numSegments)` dropped as in TensorFlow.
 * - `XrecSoftmaxCeGrad` (wasm and cpu): the fused cross-entropy gradient
 *   `out[i, j] = (probs[i, j] - [j = labels[i]]) · scale[i]` used by `softmaxCrossEntropy`.
 * - `XrecCeRowLoss` (wasm and cpu): per-row `logsumexp(z_i) - z_{i,y_i}` from logits and their softmax:
 *   `-log p_{i,y_i}` (O(1) per row), or `max(z_i) - log(p_{i, argmax}) - z_{i,y_i}` when `p_{i,y_i}` underflows.
 * - `XrecOutGradH` / `XrecOutGradW` (wasm and cpu): the output layer's input and weight gradients from the
 *   softmax P, with the one-hot part applied as a row gather / scatter (see `outputCrossEntropy`).
 * - `XrecNorm` / `XrecNormGrad` (wasm and cpu): fused LayerNorm / RMSNorm forward and backward over the
 *   last axis of [N, d] (see `ops.ts` for the formulas).
 * - `XrecRope` (wasm and cpu): rotary embedding and its transpose in one pass.
 * - `XrecGelu` / `XrecGeluGrad` (wasm and cpu): tanh-GELU (also returning the tanh) and its derivative.
 * - `XrecTranspose2d` (wasm and cpu): tiled 2-D transpose (or of each [r, c] slab of a [G, r, c] tensor).
 * - `XrecMaskedSoftmax` / `XrecMaskedSoftmaxGrad` (wasm and cpu): softmax of scores + additive mask over one
 *   attention block (masked entries skipped) and its backward, each written in both layouts.
 * - `Unpack` / `Pack` along axis 0 on wasm copy whole contiguous slabs; `GatherV2` along axis 0 copies whole rows;
 *   `SplitV` along the last axis of a 2-D tensor copies row pieces.
 * - `Identity` on wasm shares the input's memory (reference count, like the cpu backend and like wasm's
 *   own `Reshape`) instead of copying it: tfjs clones every tensor it saves for a gradient.
 *
 * The fused kernels are plain JS loops over the backend's memory: on wasm, element-wise chains of tfjs ops
 * cost several ms per op at these sizes, while one JS pass costs about a millisecond.
 */
import * as tf from '@tensorflow/tfjs';

/** Name of the fused cross-entropy-gradient kernel. */
export const CE_GRAD_KERNEL = 'XrecSoftmaxCeGrad';

/** The parts of the wasm and cpu backends the kernels below use. */
interface HeapBackend {
  readSync(id: unknown): tf.TypedArray;
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
}
interface CpuBackend {
  readSync(id: unknown): tf.TypedArray;
  makeTensorInfo(shape: number[], dtype: string, values: tf.TypedArray): tf.TensorInfo;
}

function segmentSum(x: Float32Array, ids: ArrayLike<number>, inner: number, numSegments: number, out: Float32Array): void {
  out.fill(0);
  for (let r = 0; r < ids.length; r++) {
    const seg = ids[r]!;
    if (seg < 0 || seg >= numSegments) continue;
    const src = r * inner;
    const dst = seg * inner;
    for (let j = 0; j < inner; j++) out[dst + j]! += x[src + j]!;
  }
}

function ceGrad(p: Float32Array, labels: ArrayLike<number>, scale: ArrayLike<number>, v: number, out: Float32Array): void {
  const n = labels.length;
  for (let i = 0; i < n; i++) {
    const s = scale[i]!;
    const o = i * v;
    if (s === 0) {
      out.fill(0, o, o + v);
      continue;
    }
    for (let j = 0; j < v; j++) out[o + j] = p[o + j]! * s;
    out[o + labels[i]!]! -= s;
  }
}

/** A JS kernel: output shapes from input shapes, and a function filling the outputs. */
export interface JsKernel {
  readonly name: string;
  outShapes(inShapes: number[][], attrs: Record<string, unknown>): number[][];
  compute(inputs: tf.TypedArray[], outputs: Float32Array[], inShapes: number[][], attrs: Record<string, unknown>): void;
}

const computeOverrides = new Map<string, JsKernel['compute']>();

/**
 * Replace the compute function of a registered (or later registered) {@link JsKernel} by name — used by the
 * native kernel setup to run the same contract in C. `undefined` restores the JS loop.
 */
export function setKernelCompute(name: string, compute: JsKernel['compute'] | undefined): void {
  if (compute) computeOverrides.set(name, compute);
  else computeOverrides.delete(name);
}

/** Register a {@link JsKernel} on the wasm and cpu backends (inputs in the declared order of `inputNames`). */
export function registerJsKernel(k: JsKernel, inputNames: readonly string[]): void {
  const gather = (inputs: tf.NamedTensorInfoMap): tf.TensorInfo[] => inputNames.map((n) => inputs[n]!).filter((t) => t !== undefined);
  if (!tf.getKernel(k.name, 'wasm')) {
    tf.registerKernel({
      kernelName: k.name,
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const b = backend as unknown as HeapBackend;
        const ins = gather(inputs as tf.NamedTensorInfoMap);
        const shapes = ins.map((t) => [...t.shape]);
        const outs = k.outShapes(shapes, attrs as Record<string, unknown>).map((s) => b.makeOutput(s, 'float32'));
        // Views are taken after every allocation (which may grow, and so detach, the wasm heap).
        (computeOverrides.get(k.name) ?? k.compute)(
          ins.map((t) => b.typedArrayFromHeap(t)),
          outs.map((o) => b.typedArrayFromHeap(o) as Float32Array),
          shapes,
          attrs as Record<string, unknown>,
        );
        return outs.length === 1 ? outs[0]! : outs;
      },
    });
  }
  if (!tf.getKernel(k.name, 'cpu')) {
    tf.registerKernel({
      kernelName: k.name,
      backendName: 'cpu',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const b = backend as unknown as CpuBackend;
        const ins = gather(inputs as tf.NamedTensorInfoMap);
        const shapes = ins.map((t) => [...t.shape]);
        const outShapes = k.outShapes(shapes, attrs as Record<string, unknown>);
        const outs = outShapes.map((s) => new Float32Array(s.reduce((a, c) => a * c, 1)));
        (computeOverrides.get(k.name) ?? k.compute)(ins.map((t) => b.readSync(t.dataId)), outs, shapes, attrs as Record<string, unknown>);
        const infos = outs.map((o, i) => b.makeTensorInfo(outShapes[i]!, 'float32', o));
        return infos.length === 1 ? infos[0]! : infos;
      },
    });
  }
}

export const CE_ROW_LOSS_KERNEL = 'XrecCeRowLoss';
export const OUT_GRAD_H_KERNEL = 'XrecOutGradH';
export const MASKED_SOFTMAX_KERNEL = 'XrecMaskedSoftmax';
export const MASKED_SOFTMAX_GRAD_KERNEL = 'XrecMaskedSoftmaxGrad';
export const OUT_GRAD_W_KERNEL = 'XrecOutGradW';
export const TRANSPOSE_2D_KERNEL = 'XrecTranspose2d';
export const NORM_KERNEL = 'XrecNorm';
export const NORM_GRAD_KERNEL = 'XrecNormGrad';
export const ROPE_KERNEL = 'XrecRope';
export const GELU_KERNEL = 'XrecGelu';
export const GELU_GRAD_KERNEL = 'XrecGeluGrad';

// Row loss logsumexp(z_i) - z_{i,y_i} = -log(p_{i,y_i}) (since logsumexp(z_i) = z_{i,j} - log p_{i,j} for any j):
// O(1) per row. Only when p_{i,y_i} underflows (below PY_MIN) does the row fall back to j = argmax, where
// p ≥ 1/V never underflows: max(z_i) - log(p_{i,argmax}) - z_{i,y_i}.
const PY_MIN = 1e-30;
const ceRowLoss: JsKernel = {
  name: CE_ROW_LOSS_KERNEL,
  outShapes: (s) => [[s[0]![0]!]],
  compute: ([z, p, labels], [out], [shape]) => {
    const [n, v] = shape as [number, number];
    for (let i = 0; i < n; i++) {
      const y = labels![i]!;
      if (y < 0) {
        out![i] = 0;
        continue;
      }
      const o = i * v;
      const py = p![o + y]!;
      if (py >= PY_MIN) {
        out![i] = -Math.log(py);
        continue;
      }
      let best = o;
      let m = z![o]!;
      for (let j = o + 1; j < o + v; j++) {
        if (z![j]! > m) {
          m = z![j]!;
          best = j;
        }
      }
      out![i] = m - Math.log(p![best]!) - z![o + y]!;
    }
  },
};

// Output-layer gradients from the softmax P without forming G = P - onehot(y) (see ops.ts outputCrossEntropy):
//   XrecOutGradH:  dh[i, :] = s_i (PW[i, :] - W_vd[y_i, :])            inputs pw [N, d], w [V, d], labels, scale
//   XrecOutGradW:  dW_vd = A - Yᵀ hs  with A = Pᵀ hs [V, d], written as [V, d] or (attr transpose) [d, V]
//                  inputs a [V, d], hs [N, d] (rows already scaled by s_i), labels
const outGradH: JsKernel = {
  name: OUT_GRAD_H_KERNEL,
  outShapes: (s) => [s[0]!],
  compute: ([pw, w, labels, scale], [dh], [shape]) => {
    const [n, d] = shape as [number, number];
    for (let i = 0; i < n; i++) {
      const s = scale![i]!;
      const o = i * d;
      const wo = labels![i]! * d;
      for (let j = 0; j < d; j++) dh![o + j] = s * (pw![o + j]! - w![wo + j]!);
    }
  },
};

const outGradW: JsKernel = {
  name: OUT_GRAD_W_KERNEL,
  outShapes: (s, attrs) => [attrs.transpose === true ? [s[0]![1]!, s[0]![0]!] : s[0]!],
  compute: ([a, hs, labels], [dw], [shape, hsShape], attrs) => {
    const [v, d] = shape as [number, number];
    const n = hsShape![0]!;
    dw!.set(a!); // [V, d]
    for (let i = 0; i < n; i++) {
      const o = labels![i]! * d;
      for (let j = 0; j < d; j++) dw![o + j]! -= hs![i * d + j]!;
    }
    if (attrs.transpose === true) {
      const t = Float32Array.from(dw!);
      transposeInto(t, v, d, dw!); // [d, V]
    }
  },
};

// y = x̂ ⊙ w (+ b), x̂ = (x - μ) · r (LayerNorm) or x · r (RMSNorm), r = 1/√(var + ε) or 1/√(mean(x²) + ε).
// Outputs: y [N, d], μ [N], r [N].
const norm: JsKernel = {
  name: NORM_KERNEL,
  outShapes: (s) => [s[0]!, [s[0]![0]!], [s[0]![0]!]],
  compute: ([x, w, b], [y, mu, rs], [shape], attrs) => {
    const [n, d] = shape as [number, number];
    const eps = attrs.eps as number;
    const rms = attrs.rms as boolean;
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let mean = 0;
      if (!rms) {
        for (let j = 0; j < d; j++) mean += x![o + j]!;
        mean /= d;
      }
      let v = 0;
      for (let j = 0; j < d; j++) {
        const c = x![o + j]! - mean;
        v += c * c;
      }
      const r = 1 / Math.sqrt(v / d + eps);
      mu![i] = mean;
      rs![i] = r;
      if (b) for (let j = 0; j < d; j++) y![o + j] = (x![o + j]! - mean) * r * w![j]! + b[j]!;
      else for (let j = 0; j < d; j++) y![o + j] = (x![o + j]! - mean) * r * w![j]!;
    }
  },
};

// dx = r (ĝ - mean(ĝ) - x̂ mean(ĝ ⊙ x̂)) with ĝ = dy ⊙ w (the mean(ĝ) term only for LayerNorm);
// dw = Σ_rows dy ⊙ x̂; db = Σ_rows dy.  Inputs dy, x, w, μ, r. Outputs dx [N, d], dw [d], db [d].
const normGrad: JsKernel = {
  name: NORM_GRAD_KERNEL,
  outShapes: (s) => [s[0]!, [s[0]![1]!], [s[0]![1]!]],
  compute: ([dy, x, w, mu, rs], [dx, dw, db], [shape], attrs) => {
    const [n, d] = shape as [number, number];
    const rms = attrs.rms as boolean;
    dw!.fill(0);
    db!.fill(0);
    const xh = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      const m = mu![i]!;
      const r = rs![i]!;
      let sg = 0;
      let sgx = 0;
      for (let j = 0; j < d; j++) {
        const h = (x![o + j]! - m) * r;
        xh[j] = h;
        const g = dy![o + j]! * w![j]!;
        sg += g;
        sgx += g * h;
        dw![j]! += dy![o + j]! * h;
        db![j]! += dy![o + j]!;
      }
      const mg = rms ? 0 : sg / d;
      const mgx = sgx / d;
      for (let j = 0; j < d; j++) dx![o + j] = r * (dy![o + j]! * w![j]! - mg - xh[j]! * mgx);
    }
  },
};

// RoPE in rotate-half form with the sign folded into the sine table (see rope.ts), per head of size hd:
//   forward  y = x ⊙ c + swap(x) ⊙ s;   backward  dx = dy ⊙ c + swap(dy ⊙ s)   (swap exchanges the halves).
// Inputs x, cos, sinSigned (all [N, width]); attrs hd, backward.
const rope: JsKernel = {
  name: ROPE_KERNEL,
  outShapes: (s) => [s[0]!],
  compute: ([x, c, sn], [y], _shapes, attrs) => {
    const hd = attrs.hd as number;
    const half = hd / 2;
    const back = attrs.backward === true;
    for (let o = 0; o < x!.length; o += hd) {
      for (let j = 0; j < half; j++) {
        const a = o + j;
        const b = a + half;
        if (back) {
          y![a] = x![a]! * c![a]! + x![b]! * sn![b]!;
          y![b] = x![b]! * c![b]! + x![a]! * sn![a]!;
        } else {
          y![a] = x![a]! * c![a]! + x![b]! * sn![a]!;
          y![b] = x![b]! * c![b]! + x![a]! * sn![b]!;
        }
      }
    }
  },
};

const GELU_C = Math.sqrt(2 / Math.PI);

// tanh(u) = 1 - 2 / (exp(2u) + 1) (one exp, faster than Math.tanh in V8; exact limits ±1).
// Forward outputs y = 0.5 x (1 + t) and t = tanh(√(2/π)(x + 0.044715 x³)) (saved for the backward pass).
const gelu: JsKernel = {
  name: GELU_KERNEL,
  outShapes: (s) => [s[0]!, s[0]!],
  compute: ([x], [y, th]) => {
    for (let i = 0; i < x!.length; i++) {
      const v = x![i]!;
      const t = 1 - 2 / (Math.exp(2 * GELU_C * (v + 0.044715 * v * v * v)) + 1);
      th![i] = t;
      y![i] = 0.5 * v * (1 + t);
    }
  },
};

// d gelu/dx = 0.5 (1 + t) + 0.5 x (1 - t²) c (1 + 3·0.044715 x²); inputs dy, x, t.
const geluGrad: JsKernel = {
  name: GELU_GRAD_KERNEL,
  outShapes: (s) => [s[0]!],
  compute: ([dy, x, th], [dx]) => {
    for (let i = 0; i < x!.length; i++) {
      const v = x![i]!;
      const t = th![i]!;
      dx![i] = dy![i]! * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * v * v));
    }
  },
};

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

/** out[j, i] = x[i, j] for x [r, c], walking the output row by row in 64x64 tiles. */
function transposeInto(x: ArrayLike<number>, r: number, c: number, out: Float32Array): void {
  const T = 64;
  for (let j0 = 0; j0 < c; j0 += T) {
    const j1 = Math.min(c, j0 + T);
    for (let i0 = 0; i0 < r; i0 += T) {
      const i1 = Math.min(r, i0 + T);
      for (let j = j0; j < j1; j++) {
        const o = j * r;
        for (let i = i0; i < i1; i++) out[o + i] = x[i * c + j]!;
      }
    }
  }
}

/** Tiled 2-D transpose [r, c] -> [c, r] (faster than wasm's Transpose for wide matrices); [G, r, c] -> [G, c, r] per slab. */
const transpose2d: JsKernel = {
  name: TRANSPOSE_2D_KERNEL,
  outShapes: (s) => [s[0]!.length === 3 ? [s[0]![0]!, s[0]![2]!, s[0]![1]!] : [s[0]![1]!, s[0]![0]!]],
  compute: ([x], [out], [shape]) => {
    const [g, r, c] = (shape!.length === 3 ? shape : [1, ...shape!]) as [number, number, number];
    if (g === 1) {
      transposeInto(x!, r, c, out!);
      return;
    }
    const size = r * c;
    for (let b = 0; b < g; b++) transposeInto(x!.subarray(b * size, (b + 1) * size), r, c, out!.subarray(b * size, (b + 1) * size));
  },
};

let registered = false;
let jsRegistered = false;

/** Register the fused JS kernels (on wasm and cpu; idempotent). */
export function registerJsKernels(): void {
  if (jsRegistered) return;
  jsRegistered = true;
  registerJsKernel(ceRowLoss, ['logits', 'probs', 'labels']);
  registerJsKernel(outGradH, ['pw', 'w', 'labels', 'scale']);
  registerJsKernel(outGradW, ['a', 'hs', 'labels']);
  registerJsKernel(maskedSoftmax, ['scores', 'mask']);
  registerJsKernel(maskedSoftmaxGrad, ['probs', 'dprobs', 'span']);
  registerJsKernel(transpose2d, ['x']);
  registerJsKernel(norm, ['x', 'w', 'b']);
  registerJsKernel(normGrad, ['dy', 'x', 'w', 'mean', 'rstd']);
  registerJsKernel(rope, ['x', 'cos', 'sin']);
  registerJsKernel(gelu, ['x']);
  registerJsKernel(geluGrad, ['dy', 'x', 'tanh']);
  registerCpuCeGrad();
}

/** Register xrec's wasm kernel fixes (idempotent). Also registers the fused CE gradient on cpu. */
export function registerWasmFixes(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({
      kernelName: 'UnsortedSegmentSum',
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
        const { numSegments } = attrs as unknown as { numSegments: number };
        const b = backend as unknown as HeapBackend;
        const inner = x.shape.slice(1).reduce((a, c) => a * c, 1);
        const out = b.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
        // Views are taken after the allocation (which may grow, and so detach, the wasm heap).
        const ids = b.typedArrayFromHeap(segmentIds);
        segmentSum(b.typedArrayFromHeap(x) as Float32Array, ids, inner, numSegments, b.typedArrayFromHeap(out) as Float32Array);
        return out;
      },
    });
  }
  if (!tf.getKernel(CE_GRAD_KERNEL, 'wasm')) {
    tf.registerKernel({
      kernelName: CE_GRAD_KERNEL,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend }) => {
        const { probs, labels, scale } = inputs as { probs: tf.TensorInfo; labels: tf.TensorInfo; scale: tf.TensorInfo };
        const b = backend as unknown as HeapBackend;
        const out = b.makeOutput([...probs.shape], 'float32');
        ceGrad(
          b.typedArrayFromHeap(probs) as Float32Array,
          b.typedArrayFromHeap(labels),
          b.typedArrayFromHeap(scale),
          probs.shape[1]!,
          b.typedArrayFromHeap(out) as Float32Array,
        );
        return out;
      },
    });
  }
  // Identity shares memory (as Reshape does) instead of copying.
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      (backend as unknown as { incRef(id: unknown): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  });
  overrideAxis0Copies();
  overrideRowCopies();
  registerJsKernels();
}

/**
 * Faster `Unpack` / `Pack` along axis 0 on wasm: each slab is contiguous, so one `TypedArray.set` per slab
 * (wasm's kernels copy element by element). Other axes go to the original kernels.
 */
function overrideAxis0Copies(): void {
  const unpack = tf.getKernel('Unpack', 'wasm');
  const pack = tf.getKernel('Pack', 'wasm');
  if (unpack) {
    tf.unregisterKernel('Unpack', 'wasm');
    tf.registerKernel({
      kernelName: 'Unpack',
      backendName: 'wasm',
      ...(unpack.setupFunc ? { setupFunc: unpack.setupFunc } : {}),
      kernelFunc: (args) => {
        const { value } = args.inputs as { value: tf.TensorInfo };
        const axis = (args.attrs as unknown as { axis: number }).axis;
        if (axis !== 0 || value.dtype === 'string') return unpack.kernelFunc(args);
        const b = args.backend as unknown as HeapBackend;
        const n = value.shape[0]!;
        const inner = value.shape.slice(1);
        const size = inner.reduce((a, c) => a * c, 1);
        const outs = Array.from({ length: n }, () => b.makeOutput([...inner], value.dtype));
        const src = b.typedArrayFromHeap(value);
        outs.forEach((o, i) => b.typedArrayFromHeap(o).set(src.subarray(i * size, (i + 1) * size)));
        return outs;
      },
    });
  }
  if (pack) {
    tf.unregisterKernel('Pack', 'wasm');
    tf.registerKernel({
      kernelName: 'Pack',
      backendName: 'wasm',
      ...(pack.setupFunc ? { setupFunc: pack.setupFunc } : {}),
      kernelFunc: (args) => {
        const ins = Object.keys(args.inputs)
          .sort((a, c) => Number(a) - Number(c))
          .map((k) => (args.inputs as tf.NamedTensorInfoMap)[k]!);
        const axis = (args.attrs as unknown as { axis: number }).axis;
        const first = ins[0];
        const same = first !== undefined && ins.every((t) => t.dtype === first.dtype && t.shape.length === first.shape.length && t.shape.every((d, i) => d === first.shape[i]));
        if (axis !== 0 || !same || first.dtype === 'string') return pack.kernelFunc(args);
        const b = args.backend as unknown as HeapBackend;
        const size = first.shape.reduce((a, c) => a * c, 1);
        const out = b.makeOutput([ins.length, ...first.shape], first.dtype);
        const dst = b.typedArrayFromHeap(out);
        ins.forEach((t, i) => dst.set(b.typedArrayFromHeap(t), i * size));
        return out;
      },
    });
  }
}

/**
 * Faster `GatherV2` (axis 0, no batch dims: embedding lookups) and `SplitV` along the last axis of a 2-D tensor
 * (GPT-2's fused q/k/v projection) on wasm: one `TypedArray.set` per gathered row or per row piece instead of
 * wasm's element-wise loops. Anything else, and a gather with an index outside [0, rows), goes to the original
 * kernels (which keep their own error behaviour).
 */
function overrideRowCopies(): void {
  const gather = tf.getKernel('GatherV2', 'wasm');
  const split = tf.getKernel('SplitV', 'wasm');
  if (gather) {
    tf.unregisterKernel('GatherV2', 'wasm');
    tf.registerKernel({
      kernelName: 'GatherV2',
      backendName: 'wasm',
      ...(gather.setupFunc ? { setupFunc: gather.setupFunc } : {}),
      kernelFunc: (args) => {
        const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
        const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims?: number };
        const rows = x.shape[0] ?? 0;
        if (axis !== 0 || (batchDims ?? 0) !== 0 || x.shape.length < 1 || x.dtype === 'string' || indices.dtype !== 'int32') return gather.kernelFunc(args);
        const b = args.backend as unknown as HeapBackend;
        const idx = b.typedArrayFromHeap(indices);
        for (let i = 0; i < idx.length; i++) if (!(idx[i]! >= 0 && idx[i]! < rows)) return gather.kernelFunc(args);
        const inner = x.shape.slice(1);
        const size = inner.reduce((a, c) => a * c, 1);
        const out = b.makeOutput([...indices.shape, ...inner], x.dtype);
        // Views are taken after the allocation (which may grow, and so detach, the wasm heap).
        const src = b.typedArrayFromHeap(x);
        const dst = b.typedArrayFromHeap(out);
        const ids = b.typedArrayFromHeap(indices);
        for (let i = 0; i < ids.length; i++) dst.set(src.subarray(ids[i]! * size, (ids[i]! + 1) * size), i * size);
        return out;
      },
    });
  }
  if (split) {
    tf.unregisterKernel('SplitV', 'wasm');
    tf.registerKernel({
      kernelName: 'SplitV',
      backendName: 'wasm',
      ...(split.setupFunc ? { setupFunc: split.setupFunc } : {}),
      kernelFunc: (args) => {
        const { x } = args.inputs as { x: tf.TensorInfo };
        const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
        if (x.shape.length !== 2 || x.dtype === 'string') return split.kernelFunc(args);
        const ax = tf.util.parseAxisParam(axis, x.shape)[0];
        if (ax !== 1) return split.kernelFunc(args);
        const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, ax);
        const [n, c] = x.shape as [number, number];
        const b = args.backend as unknown as HeapBackend;
        const outs = sizes.map((w) => b.makeOutput([n, w], x.dtype));
        const src = b.typedArrayFromHeap(x);
        let off = 0;
        outs.forEach((o, k) => {
          const w = sizes[k]!;
          const dst = b.typedArrayFromHeap(o);
          for (let r = 0; r < n; r++) dst.set(src.subarray(r * c + off, r * c + off + w), r * w);
          off += w;
        });
        return outs;
      },
    });
  }
}

/** Register the fused CE gradient on the cpu backend (used by tests that compare backends). */
export function registerCpuCeGrad(): void {
  if (tf.getKernel(CE_GRAD_KERNEL, 'cpu')) return;
  tf.registerKernel({
    kernelName: CE_GRAD_KERNEL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend }) => {
      const { probs, labels, scale } = inputs as { probs: tf.TensorInfo; labels: tf.TensorInfo; scale: tf.TensorInfo };
      const b = backend as unknown as CpuBackend;
      const out = new Float32Array(probs.shape[0]! * probs.shape[1]!);
      ceGrad(b.readSync(probs.dataId) as Float32Array, b.readSync(labels.dataId), b.readSync(scale.dataId), probs.shape[1]!, out);
      return b.makeTensorInfo([...probs.shape], 'float32', out);
    },
  });
}
