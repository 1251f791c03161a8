/**
 * Replacing stock tfjs-wasm kernels by xrec's (native BLAS or wasm SIMD) and putting them back. Each
 * replacement keeps the stock kernel, so that a replacement can hand cases it does not serve to it.
 */
import * as tf from '@tensorflow/tfjs';

/** The stock kernels replaced on wasm, by name. */
const replaced = new Map<string, tf.KernelConfig>();

/** Register `make(stock)` as the wasm kernel `name` (the stock kernel stays the one wrapped on repeated calls). */
export function replaceWasmKernel(name: string, make: (stock: tf.KernelConfig) => tf.KernelFunc): void {
  const stock = replaced.get(name) ?? tf.getKernel(name, 'wasm');
  if (!stock) return;
  replaced.set(name, stock);
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}), kernelFunc: make(stock) });
}

/** Put every replaced wasm kernel back. */
export function restoreWasmKernels(): void {
  for (const [name, stock] of replaced) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(stock);
  }
  replaced.clear();
}
