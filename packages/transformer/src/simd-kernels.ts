/**
 * xrec's wasm SIMD matmul on the wasm backend, for machines without the native kernels (no compiler or BLAS,
 * `XREC_NATIVE=0`, browsers). {@link activateSimdKernels} replaces `BatchMatMul` (2-D and batched, transpose
 * flags read in place) by a packed, register-tiled SIMD GEMM that works in place on tfjs-wasm's heap, and tells
 * the ops to pass matMul's transpose flags. `XREC_SIMD=0` leaves tfjs-wasm's own matmul.
 */
import * as tf from '@tensorflow/tfjs';
import { overrideBatchMatMul } from './kernels/batch-matmul.js';
import { restoreWasmKernels } from './kernels/wasm-override.js';
import { setTransposeFlags } from './matmul-flags.js';
import { nativeStatus } from './native-kernels.js';
import { simdGemm, type WasmHeapModule } from './simd/simd-gemm.js';

/** What `xrec doctor` shows about the wasm SIMD kernels. */
export interface SimdStatus {
  readonly active: boolean;
  /** Why they are not active. */
  readonly reason?: string;
  /** tfjs kernels served by them. */
  readonly kernels: readonly string[];
}

let status: SimdStatus = { active: false, reason: 'not initialised (call initBackend)', kernels: [] };

export function simdStatus(): SimdStatus {
  return status;
}

/**
 * Register the SIMD matmul on the active wasm backend (idempotent). It stays off where the native kernels are
 * active (they are faster), on other backends, and with `XREC_SIMD=0`.
 */
export async function activateSimdKernels(): Promise<SimdStatus> {
  if (status.active) return status;
  const off = (reason: string): SimdStatus => (status = { active: false, reason, kernels: [] });
  if (process.env.XREC_SIMD === '0') return off('XREC_SIMD=0');
  if (tf.getBackend() !== 'wasm') return off(`backend '${tf.getBackend()}' uses its own kernels`);
  if (nativeStatus().active) return off('native kernels are active');
  try {
    const wasm = (tf.backend() as unknown as { wasm: WasmHeapModule }).wasm;
    overrideBatchMatMul(await simdGemm(wasm));
  } catch (e) {
    return off(`could not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  setTransposeFlags(true);
  status = { active: true, kernels: ['BatchMatMul'] };
  return status;
}

/** Put tfjs-wasm's matmul back and stop passing transpose flags (for A/B comparisons and tests in one process). */
export function deactivateSimdKernels(): void {
  if (!status.active) return;
  restoreWasmKernels();
  setTransposeFlags(false);
  status = { active: false, reason: 'deactivated (deactivateSimdKernels)', kernels: [] };
}
