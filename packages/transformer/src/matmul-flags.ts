/**
 * Whether matMul's transpose flags are cheap on the active backend. They are with xrec's wasm matmuls (native
 * BLAS or wasm SIMD), which read either layout in place; on tfjs-wasm's own kernel they are ~10x slower than
 * an explicit transpose (measured: `node scripts/kernel-profile.mjs`), so the ops transpose explicitly there.
 * Set by the native and SIMD kernel setups, and only true while the wasm backend is the active one.
 */
import * as tf from '@tensorflow/tfjs';

let flags = false;

export function setTransposeFlags(enabled: boolean): void {
  flags = enabled;
}

/** True when `tf.matMul(a, b, transposeA, transposeB)` runs on a kernel that reads transposed operands in place. */
export function transposeFlagsFast(): boolean {
  return flags && tf.getBackend() === 'wasm';
}
