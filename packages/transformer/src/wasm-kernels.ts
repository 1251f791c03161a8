/**
 * Kernels the wasm backend lacks or runs slowly (see shared STACK-NOTES.md). Registered once by
 * {@link registerWasmFixes}:
 *
 * - `UnsortedSegmentSum` (wasm has none; it is the gradient of `gather`, i.e. of embedding lookups):
 *   `out[s, :] = Σ_{r : ids[r] = s} x[r, :]`, ids outside `[0, numSegments)` dropped as in TensorFlow.
 * - `XrecSoftmaxCeGrad` (wasm and cpu): the fused cross-entropy gradient
 *   `out[i, j] = (probs[i, j] - [j = labels[i]]) · scale[i]` used by `softmaxCrossEntropy`.
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

let registered = false;

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
  registerCpuCeGrad();
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
