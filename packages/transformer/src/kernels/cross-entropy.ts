/**
 * Cross-entropy kernels of the output layer (wasm and cpu):
 * - `XrecCeRowLoss`: per-row `logsumexp(z_i) - z_{i,y_i}` from logits and their softmax: `-log p_{i,y_i}`
 *   (O(1) per row), or `max(z_i) - log(p_{i, argmax}) - z_{i,y_i}` when `p_{i,y_i}` underflows;
 * - `XrecOutGradH` / `XrecOutGradW`: the output layer's input and weight gradients from the softmax P, with
 *   the one-hot part applied as a row gather / scatter (see `outputCrossEntropy`);
 * - `XrecSoftmaxCeGrad`: `(probs - onehot(labels)) · scale` (the gradient of `softmaxCrossEntropy`).
 */
import * as tf from '@tensorflow/tfjs';
import { registerJsKernel, type CpuBackend, type HeapBackend, type JsKernel } from './registry.js';
import { transposeInto } from './transpose.js';

export const CE_GRAD_KERNEL = 'XrecSoftmaxCeGrad';
export const CE_ROW_LOSS_KERNEL = 'XrecCeRowLoss';
export const OUT_GRAD_H_KERNEL = 'XrecOutGradH';
export const OUT_GRAD_W_KERNEL = 'XrecOutGradW';

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

export function registerCrossEntropyKernels(): void {
  registerJsKernel(ceRowLoss, ['logits', 'probs', 'labels']);
  registerJsKernel(outGradH, ['pw', 'w', 'labels', 'scale']);
  registerJsKernel(outGradW, ['a', 'hs', 'labels']);
  registerCpuCeGrad();
  registerWasmCeGrad();
}

/** The same gradient on the wasm heap. */
function registerWasmCeGrad(): void {
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
