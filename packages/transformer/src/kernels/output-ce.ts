/**
 * The output layer and its cross-entropy as one kernel, `XrecOutputCe`: for hidden states h [N, d], the output
 * matrix W ([V, d] tied embedding or [d, V] Linear) and labels, it returns the per-row loss
 * `logsumexp(z_i) − z_i[y_i]` of `z = h W_vdᵀ` and — when a gradient tape is on — `dh` and `dW` of
 * `Σ_i weight_i · loss_i`, all in one pass over blocks of rows: the [N, V] logits are never materialised and
 * each block stays in cache between its three products (the Liger-kernel / "fused linear cross-entropy"
 * construction). The backward is then one scalar multiply per gradient.
 *
 * Native only: the native kernel setup installs the C implementation and turns the path on
 * ({@link setOutputCeFused}); the JS compute below is the float64 reference it is tested against on cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { customOp, type OpBody, type SaveFn } from '../custom-op.js';
import { backendSwitch, registerJsKernel, type JsKernel } from './registry.js';

export const OUTPUT_CE_KERNEL = 'XrecOutputCe';

/** Attributes of {@link OUTPUT_CE_KERNEL}. Inputs: `h` [N, d], `w`, `labels` int32 [N], `weight` [N]. */
export interface OutputCeAttrs {
  /** `'vd'`: w is [V, d]; `'dv'`: w is [d, V]. */
  readonly layout: 'vd' | 'dv';
  /** Also return `dh` [N, d] (and `dw` when `gradW`). */
  readonly grads: boolean;
  readonly gradW: boolean;
  /** Rows per block. */
  readonly chunk: number;
}

/** Rows per block (512 rows of an 8k vocabulary: 16 MB of logits; larger blocks measured no faster, smaller ones slower). */
export const OUTPUT_CE_CHUNK = 512;

function outShapes([h, w]: number[][], attrs: Record<string, unknown>): number[][] {
  const a = attrs as unknown as OutputCeAttrs;
  const shapes = [[h![0]!]];
  if (a.grads) shapes.push([...h!]);
  if (a.grads && a.gradW) shapes.push([...w!]);
  return shapes;
}

/** Float64 reference (used on cpu and in tests; the native kernel replaces it on wasm). */
function compute(inputs: tf.TypedArray[], outputs: Float32Array[], shapes: number[][], attrs: Record<string, unknown>): void {
  const [h, w, labels, weight] = inputs as [Float32Array, Float32Array, Int32Array, Float32Array];
  const a = attrs as unknown as OutputCeAttrs;
  const [n, d] = shapes[0] as [number, number];
  const v = a.layout === 'vd' ? shapes[1]![0]! : shapes[1]![1]!;
  const wAt = a.layout === 'vd' ? (j: number, c: number) => w[j * d + c]! : (j: number, c: number) => w[c * v + j]!;
  const [loss, dh, dw] = outputs;
  dh?.fill(0);
  dw?.fill(0);
  const z = new Float64Array(v);
  for (let i = 0; i < n; i++) {
    const wi = weight[i]!;
    if (wi === 0) {
      loss![i] = 0;
      continue;
    }
    let mx = -Infinity;
    for (let j = 0; j < v; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += h[i * d + c]! * wAt(j, c);
      z[j] = s;
      mx = Math.max(mx, s);
    }
    let sum = 0;
    for (let j = 0; j < v; j++) sum += Math.exp(z[j]! - mx);
    const y = labels[i]!;
    loss![i] = Math.log(sum) + mx - z[y]!;
    if (!dh) continue;
    for (let j = 0; j < v; j++) {
      const g = wi * (Math.exp(z[j]! - mx) / sum - (j === y ? 1 : 0));
      for (let c = 0; c < d; c++) {
        dh[i * d + c] = dh[i * d + c]! + g * wAt(j, c);
        const k = a.layout === 'vd' ? j * d + c : c * v + j;
        if (dw) dw[k] = dw[k]! + g * h[i * d + c]!;
      }
    }
  }
}

const kernel: JsKernel = { name: OUTPUT_CE_KERNEL, outShapes, compute };
let registered = false;

/** Register the kernel on wasm and cpu (idempotent). */
export function registerOutputCe(): void {
  if (registered) return;
  registered = true;
  registerJsKernel(kernel, ['h', 'w', 'labels', 'weight']);
}

const fused = backendSwitch(registerOutputCe);

/** Route the op on `backend` through the fused kernel(s) (the native setup turns it on for wasm; tests for cpu). */
export function setOutputCeFused(enabled: boolean, backend = 'wasm'): void {
  fused.set(enabled, backend);
}

/** Whether the op takes the fused path on the active backend. */
export function outputCeFused(): boolean {
  return fused.active();
}

/**
 * `Σ_i weight_i · CE(h_i W_vdᵀ, labels_i)` through {@link OUTPUT_CE_KERNEL}. With `grads` the kernel also
 * computes both gradients in the forward pass (the caller knows whether a tape is recording); without it the
 * op has no gradient. `labels` must be valid where `weight` is non-zero.
 */
export function fusedOutputCrossEntropy(
  hidden: tf.Tensor2D,
  w: tf.Tensor2D,
  layout: 'vd' | 'dv',
  labels: Int32Array,
  weight: Float32Array,
  opts: { grads: boolean; gradW: boolean },
): tf.Scalar {
  registerOutputCe();
  const attrs: OutputCeAttrs = { layout, grads: opts.grads, gradW: opts.gradW, chunk: OUTPUT_CE_CHUNK };
  const op = customOp(((h: tf.Tensor2D, wt: tf.Tensor2D, save: SaveFn) => {
    const lab = tf.tensor1d(labels, 'int32');
    const wts = tf.tensor1d(weight);
    const raw = tf.engine().runKernel(OUTPUT_CE_KERNEL, { h, w: wt, labels: lab, weight: wts }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
    const outs = Array.isArray(raw) ? raw : [raw]; // one output (no gradients) comes back bare
    const [rowLoss, dh, dw] = outs as [tf.Tensor1D, tf.Tensor2D?, tf.Tensor2D?];
    save(outs.slice(1));
    return {
      value: tf.sum(tf.mul(rowLoss, wts)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        if (!dh) throw new Error('fusedOutputCrossEntropy: a gradient was requested from a call made without a gradient tape');
        const gw = dw ? tf.mul(saved[1]!, dy) : tf.zerosLike(wt);
        return [tf.mul(saved[0]!, dy), gw];
      },
    };
  }) as OpBody);
  return op(hidden, w) as unknown as tf.Scalar;
}
