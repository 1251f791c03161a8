/**
 * `BatchMatMul` on the wasm backend through an in-place GEMM on the wasm heap (xrec's native BLAS or its wasm
 * SIMD kernel): 2-D and batched, `transposeA/B` read in place, a batch of one broadcast. Anything else (other
 * dtypes, shapes tfjs rejects) goes to the stock kernel, which raises tfjs's own errors.
 */
import * as tf from '@tensorflow/tfjs';
import { replaceWasmKernel } from './wasm-override.js';

/**
 * `C_b = op(A_b) · op(B_b)` for b < batch, row-major; op(A) is [m, k], op(B) is [k, n], C is [m, n]; operands
 * are views of the wasm heap, a stride (floats between batch items) of 0 broadcasts an operand.
 */
export type BatchedGemm = (
  transA: boolean,
  transB: boolean,
  batch: number,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  strideA: number,
  b: Float32Array,
  strideB: number,
  c: Float32Array,
  strideC: number,
) => void;

/** What a wasm kernel needs of the backend: allocation and heap views. */
export interface HeapBackend {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
}

const prod = (s: readonly number[]): number => s.reduce((a, c) => a * c, 1);

export function overrideBatchMatMul(gemm: BatchedGemm): void {
  replaceWasmKernel('BatchMatMul', (stock) => (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const ra = a.shape.length;
    const rb = b.shape.length;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || ra < 2 || rb < 2) return stock.kernelFunc(args);
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    const aOuter = a.shape.slice(0, -2);
    const bOuter = b.shape.slice(0, -2);
    const batchA = prod(aOuter);
    const batchB = prod(bOuter);
    if (k !== kb || m * n === 0 || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return stock.kernelFunc(args); // tfjs's own errors
    let outer: number[];
    try {
      outer = tf.broadcast_util.assertAndGetBroadcastShape(aOuter, bOuter);
    } catch {
      return stock.kernelFunc(args);
    }
    const batch = prod(outer);
    if (batch !== Math.max(batchA, batchB)) return stock.kernelFunc(args);
    const be = args.backend as unknown as HeapBackend;
    const out = be.makeOutput([...outer, m, n], 'float32');
    // Views are taken after the allocation (which may grow, and so detach, the wasm heap).
    const av = be.typedArrayFromHeap(a) as Float32Array;
    const bv = be.typedArrayFromHeap(b) as Float32Array;
    const cv = be.typedArrayFromHeap(out) as Float32Array;
    gemm(transposeA, transposeB, batch, m, n, k, av, batchA === 1 ? 0 : m * k, bv, batchB === 1 ? 0 : k * n, cv, m * n);
    return out;
  });
}
