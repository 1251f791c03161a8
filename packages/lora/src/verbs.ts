/**
 * peft's verbs as functions over a {@link LoraModel} (each is also a method of it): merge, unmerge,
 * merge-and-unload, a scoped run without adapters, switching adapters, the trainable-parameter line.
 */
import type { LoraHost } from './host.js';
import type { LoraModel, ParameterReport } from './lora-model.js';

/** W ← W + s·A@B for the named adapters (default: the active one) on every adapted layer, in place. */
export function mergeLora<M extends LoraHost>(lm: LoraModel<M>, adapterNames?: readonly string[]): void {
  lm.merge(adapterNames);
}

/** Restore the exact pre-merge base weights. */
export function unmergeLora<M extends LoraHost>(lm: LoraModel<M>): void {
  lm.unmerge();
}

/** Merge the active adapter for good, remove all adapters, return the plain base model. */
export function mergeAndUnload<M extends LoraHost>(lm: LoraModel<M>): M {
  return lm.mergeAndUnload();
}

/** Remove all adapters without merging; the base model is as before injection. */
export function unloadLora<M extends LoraHost>(lm: LoraModel<M>): M {
  return lm.unload();
}

/** Run `fn` on the base model alone (adapters off, merges taken out); restored afterwards. */
export function disableAdapters<M extends LoraHost, T>(lm: LoraModel<M>, fn: () => Promise<T>): Promise<T>;
export function disableAdapters<M extends LoraHost, T>(lm: LoraModel<M>, fn: () => T): T;
export function disableAdapters<M extends LoraHost, T>(lm: LoraModel<M>, fn: () => T | Promise<T>): T | Promise<T> {
  return lm.disableAdapters(fn as () => T);
}

/** Make `name` the active (running and training) adapter. */
export function setAdapter<M extends LoraHost>(lm: LoraModel<M>, name: string): void {
  lm.setAdapter(name);
}

/** Trainable vs all parameter counts. */
export function trainableParameters<M extends LoraHost>(lm: LoraModel<M>): ParameterReport {
  return lm.parameterReport();
}

/** peft's `print_trainable_parameters()` line (returned, not printed). */
export function printTrainableParameters<M extends LoraHost>(lm: LoraModel<M>): string {
  return lm.trainableParametersText();
}
