/**
 * Kernels the wasm backend lacks or runs slowly, registered once by
 * {@link registerWasmFixes}:
 *
 * - `UnsortedSegmentSum` (wasm has none; it is the gradient of `gather`, i.e. of embedding lookups):
 *   `out[s, :] = Σ_{r : ids[r] = s} x[r, :]`, ids outside `[0, numSegments)` dropped as in TensorFlow.
 * - `Unpack` / `Pack` along axis 0 copy whole contiguous slabs; `GatherV2` along axis 0 copies whole rows;
 *   `SplitV` along the last axis of a 2-D tensor copies row pieces.
 * - `Identity` shares the input's memory (reference count, like the cpu backend and like wasm's own
 *   `Reshape`) instead of copying it: tfjs clones every tensor it saves for a gradient.
 *
 * xrec's own fused kernels are in kernels/ (registered by kernels/register.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { HeapBackend } from './kernels/registry.js';

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
