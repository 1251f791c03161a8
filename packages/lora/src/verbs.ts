/**
 * peft's verbs as functions over a {@link LoraModel} (each is also a method of it): merge, unmerge,
 * merge-and-unload, a scoped run without adapters, switching adapters, the trainable-parameter line.
 */
import { StateError } from '@xrec/core';
import type { LoraHost } from './model-view.js';
import { getLoraModel, LoraModel, type ParameterReport } from './lora-model.js';

/** Either the handle returned by `injectLora` or the adapted model itself. */
export type LoraTarget<M extends LoraHost> = LoraModel<M> | M;

/** The {@link LoraModel} of a handle or of an adapted model. */
export function loraOf<M extends LoraHost>(x: LoraTarget<M>): LoraModel<M> {
  if (x instanceof LoraModel) return x as LoraModel<M>;
  const lm = getLoraModel(x as M);
  if (!lm) throw new StateError('lora: this model has no LoRA adapters (call injectLora or loadAdapter first)');
  return lm;
}

/** W ← W + s·A@B for the named adapters (default: the active one) on every adapted layer, in place. */
export function mergeLora<M extends LoraHost>(lm: LoraTarget<M>, adapterNames?: readonly string[]): void {
  loraOf(lm).merge(adapterNames);
}

/** Restore the exact pre-merge base weights. */
export function unmergeLora<M extends LoraHost>(lm: LoraTarget<M>): void {
  loraOf(lm).unmerge();
}

/** Merge the active adapter for good, remove all adapters, return the plain base model. */
export function mergeAndUnload<M extends LoraHost>(lm: LoraTarget<M>): M {
  return loraOf(lm).mergeAndUnload();
}

/** Remove all adapters without merging; the base model is as before injection. */
export function unloadLora<M extends LoraHost>(lm: LoraTarget<M>): M {
  return loraOf(lm).unload();
}

/** Run `fn` on the base model alone (adapters off, merges taken out); restored afterwards. */
export function disableAdapters<M extends LoraHost, T>(lm: LoraTarget<M>, fn: () => Promise<T>): Promise<T>;
export function disableAdapters<M extends LoraHost, T>(lm: LoraTarget<M>, fn: () => T): T;
export function disableAdapters<M extends LoraHost, T>(lm: LoraTarget<M>, fn: () => T | Promise<T>): T | Promise<T> {
  return loraOf(lm).disableAdapters(fn as () => T);
}

/** Make `name` the active (running and training) adapter. */
export function setAdapter<M extends LoraHost>(lm: LoraTarget<M>, name: string): void {
  loraOf(lm).setAdapter(name);
}

/** Trainable vs all parameter counts. */
export function trainableParameters<M extends LoraHost>(lm: LoraTarget<M>): ParameterReport {
  return loraOf(lm).parameterReport();
}

/** peft's `print_trainable_parameters()` line (returned, not printed). */
export function printTrainableParameters<M extends LoraHost>(lm: LoraTarget<M>): string {
  return loraOf(lm).trainableParametersText();
}
