/**
 * Whether matMul's transpose flags are cheap on the active backend. They are with xrec's native (BLAS) matmul,
 * which reads either layout in place; on tfjs-wasm's own kernel they are ~10x slower than an explicit
 * transpose (measured: `node scripts/kernel-profile.mjs`), so the ops transpose explicitly there. Set by the native kernel setup.
 */
let flags = false;

export function setTransposeFlags(enabled: boolean): void {
  flags = enabled;
}

/** True when `tf.matMul(a, b, transposeA, transposeB)` runs on a kernel that reads transposed operands in place. */
export function transposeFlagsFast(): boolean {
  return flags;
}
