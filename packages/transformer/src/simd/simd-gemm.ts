/**
 * xrec's wasm SIMD GEMM (scripts/simd-gemm-wat.mjs, assembled into gemm-wasm.ts) instantiated on the heap of
 * the tfjs-wasm backend: the module imports tfjs-wasm's memory and multiplies tensors where they lie.
 */
import { StateError } from '@xrec/core';
import type { BatchedGemm } from '../kernels/batch-matmul.js';
import { GEMM_WASM_BASE64, GEMM_WORKSPACE_FLOATS } from './gemm-wasm.js';

/** The parts of tfjs-wasm's Emscripten module used here. */
export interface WasmHeapModule {
  readonly asm?: { readonly memory?: unknown };
  _malloc(bytes: number): number;
}

/** The slice of the WebAssembly JS API used here (the global exists in Node and browsers; this package's lib types omit it). */
declare const WebAssembly: {
  Memory: abstract new (...args: never[]) => { readonly buffer: ArrayBufferLike };
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

type Sgemm = (m: number, n: number, k: number, a: number, asi: number, ask: number, b: number, bsk: number, bsj: number, c: number, ldc: number, ws: number) => void;

function bytesOf(base64: string): Uint8Array {
  const s = atob(base64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Instantiate the GEMM on `wasm`'s memory (with a workspace allocated there once). */
export async function simdGemm(wasm: WasmHeapModule): Promise<BatchedGemm> {
  const memory = wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new StateError('wasm SIMD matmul: the tfjs-wasm module exports no memory (asm.memory)');
  const { instance } = await WebAssembly.instantiate(bytesOf(GEMM_WASM_BASE64), { env: { memory } });
  const sgemm = instance.exports.sgemm as Sgemm;
  const ws = (wasm._malloc(GEMM_WORKSPACE_FLOATS * 4 + 16) + 15) & ~15;
  return (transA, transB, batch, m, n, k, a, strideA, b, strideB, c, strideC) => {
    if (a.buffer !== memory.buffer || b.buffer !== memory.buffer || c.buffer !== memory.buffer) {
      throw new StateError('wasm SIMD matmul: operands must be views of the tfjs-wasm heap');
    }
    const [asi, ask] = transA ? [1, m] : [k, 1];
    const [bsk, bsj] = transB ? [1, k] : [n, 1];
    for (let i = 0; i < batch; i++) {
      const pc = c.byteOffset + 4 * strideC * i;
      if (k === 0) c.fill(0, strideC * i, strideC * i + m * n);
      else sgemm(m, n, k, a.byteOffset + 4 * strideA * i, asi, ask, b.byteOffset + 4 * strideB * i, bsk, bsj, pc, n, ws);
    }
  };
}
