/**
 * Registers every fused JS kernel on the wasm and cpu backends — once, from backend initialisation
 * (`initBackend`), never as a side effect of a query.
 */
import { registerCrossEntropyKernels } from './cross-entropy.js';
import { registerGeluKernels } from './gelu.js';
import { registerMaskedSoftmaxKernels } from './masked-softmax.js';
import { registerNormKernels } from './norm.js';
import { registerRopeKernel } from './rope.js';
import { registerTransposeKernel } from './transpose.js';

let registered = false;

/** Register the fused JS kernels (on wasm and cpu; idempotent). */
export function registerJsKernels(): void {
  if (registered) return;
  registered = true;
  registerCrossEntropyKernels();
  registerMaskedSoftmaxKernels();
  registerTransposeKernel();
  registerNormKernels();
  registerRopeKernel();
  registerGeluKernels();
}
