/**
 * Kernels the wasm backend lacks or runs slowly (see shared STACK-NOTES.md). Registered once by
 * {@link registerWasmFixes}.
 */
import * as tf from '@tensorflow/tfjs';

let registered = false;

/** Register xrec's wasm kernel fixes (idempotent). */
export function registerWasmFixes(): void {
  if (registered) return;
  registered = true;
  const existing = tf.getKernel('UnsortedSegmentSum', 'wasm');
  if (!existing) {
    tf.registerKernel({
      kernelName: 'UnsortedSegmentSum',
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
        const { numSegments } = attrs as unknown as { numSegments: number };
        const b = backend as unknown as { readSync(id: unknown): tf.TypedArray; makeOutput(shape: number[], dtype: string): tf.TensorInfo; typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray };
        const xv = b.readSync(x.dataId) as Float32Array;
        const ids = b.readSync(segmentIds.dataId);
        const inner = x.shape.slice(1).reduce((a, c) => a * c, 1);
        const outShape = [numSegments, ...x.shape.slice(1)];
        const out = b.makeOutput(outShape, x.dtype);
        const ov = b.typedArrayFromHeap(out) as Float32Array;
        ov.fill(0);
        for (let r = 0; r < ids.length; r++) {
          const seg = ids[r]!;
          if (seg < 0 || seg >= numSegments) continue;
          const src = r * inner;
          const dst = seg * inner;
          for (let j = 0; j < inner; j++) ov[dst + j]! += xv[src + j]!;
        }
        return out;
      },
    });
  }
}
