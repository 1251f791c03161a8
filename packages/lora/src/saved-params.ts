/**
 * The `modulesToSave` store (peft's `ModulesToSaveWrapper`): for each base parameter an adapter trains whole,
 * the base's original values and one copy per adapter; the model variable holds exactly one of them at a time
 * (the `holder`'s copy, else the original), swapped in and out by {@link SavedParams.sync}.
 */
import * as tf from '@tensorflow/tfjs';
import { sizeOf } from './lora-helpers.js';
import type { SavedParam } from './lora-types.js';

export class SavedParams {
  private readonly byParam = new Map<string, SavedParam>();

  /** Give adapter `name` its own copy of parameter `p` (the original is kept the first time `p` is seen). */
  add(p: string, name: string, variable: tf.Variable): void {
    let s = this.byParam.get(p);
    if (!s) {
      s = { original: tf.clone(variable), copies: new Map(), holder: null };
      this.byParam.set(p, s);
    }
    s.copies.set(name, tf.clone(s.original));
  }

  /** Drop adapter `name`'s copies; a parameter no adapter saves any more is forgotten. */
  removeAdapter(name: string): void {
    for (const [p, s] of this.byParam) {
      s.copies.get(name)?.dispose();
      s.copies.delete(name);
      if (s.copies.size === 0) {
        s.original.dispose();
        this.byParam.delete(p);
      }
    }
  }

  /** Put `target`'s values (or the originals, for null) into the model variables. */
  sync(params: ReadonlyMap<string, tf.Variable>, target: string | null): void {
    for (const [p, s] of this.byParam) {
      const v = params.get(p)!;
      const want = target !== null && s.copies.has(target) ? target : null;
      if (s.holder === want) continue;
      if (s.holder !== null) {
        s.copies.get(s.holder)?.dispose();
        s.copies.set(s.holder, tf.clone(v));
      }
      v.assign(want === null ? s.original : s.copies.get(want)!);
      s.holder = want;
    }
  }

  /** Adapter `name`'s stored copy of `p` when it is not the one in the variable; else undefined. */
  storedCopy(p: string, name: string): tf.Tensor | undefined {
    const s = this.byParam.get(p);
    return s && s.holder !== name && s.copies.has(name) ? s.copies.get(name)! : undefined;
  }

  /** Replace adapter `name`'s stored copy of `p` (taking ownership of `t`); false when the variable holds it instead. */
  replaceStoredCopy(p: string, name: string, t: tf.Tensor): boolean {
    const old = this.storedCopy(p, name);
    if (!old) return false;
    old.dispose();
    this.byParam.get(p)!.copies.set(name, t);
    return true;
  }

  /** Parameters held in copies (for parameter counts). */
  copiedParameters(): number {
    let n = 0;
    for (const s of this.byParam.values()) n += s.copies.size * sizeOf(s.original.shape);
    return n;
  }

  dispose(): void {
    for (const s of this.byParam.values()) {
      s.original.dispose();
      for (const c of s.copies.values()) c.dispose();
    }
    this.byParam.clear();
  }
}
