/**
 * The LoRA update of one linear layer (Hu et al. 2022): for every active, unmerged adapter
 *
 *   y = base(x) + s · dropout(x) @ A @ B,     A: [in, r], B: [r, out] (compute layout), s = alpha/r or alpha/√r
 *
 * peft stores the same matrices transposed (lora_A.weight [r, in], lora_B.weight [out, r]); the file layer
 * converts. Merging writes W ← W + s·A@B into the base weight ([in, out]) and keeps an exact copy of the
 * pre-merge weight, so unmerging restores it bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, StateError } from '@xrec/core';
import type { InitLoraWeights } from './config.js';
import type { LinearAdapterLike, LinearLayerLike } from './model-view.js';

/** One adapter's weights on one layer. */
export interface LoraWeights {
  readonly adapterName: string;
  readonly r: number;
  readonly alpha: number;
  readonly scaling: number;
  readonly dropout: number;
  readonly a: tf.Variable; // [in, r]
  readonly b: tf.Variable; // [r, out]
  /** Source of dropout masks (seeded per adapter and layer; reseeded per update by `LoraModel.reseedDropout`). */
  rng: Rng;
}

type SaveFn = (tensors: tf.Tensor[]) => void;
type CustomOp = (...args: tf.Tensor[]) => tf.Tensor;

/**
 * `s · (x @ A) @ B` with a hand-written gradient that transposes explicitly (wasm's matmul is fast only for
 * plain 2-D products):  with g = s·dY,  dB = (xA)ᵀ g,  d(xA) = g Bᵀ,  dA = xᵀ d(xA),  dx = d(xA) Aᵀ.
 */
function lowRankOp(scaling: number): CustomOp {
  return tf.customGrad(((x: tf.Tensor2D, a: tf.Tensor2D, b: tf.Tensor2D, save: SaveFn) => {
    const xa = tf.matMul(x, a); // [N, r]
    save([x, a, b, xa]);
    return {
      value: tf.mul(tf.matMul(xa, b), scaling), // [N, out]
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [sx, sa, sb, sxa] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const g = tf.mul(dy, scaling); // [N, out]
        const dB = tf.matMul(tf.transpose(sxa), g); // [r, out]
        const dXa = tf.matMul(g, tf.transpose(sb)); // [N, r]
        const dA = tf.matMul(tf.transpose(sx), dXa); // [in, r]
        const dX = tf.matMul(dXa, tf.transpose(sa)); // [N, in]
        return [dX, dA, dB];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as CustomOp;
}

const opCache = new Map<number, CustomOp>();
function lowRank(scaling: number): CustomOp {
  let op = opCache.get(scaling);
  if (!op) {
    op = lowRankOp(scaling);
    opCache.set(scaling, op);
  }
  return op;
}

/** s · A @ B as a dense [in, out] update (what merging adds to the base weight). */
export function deltaWeight(w: LoraWeights): tf.Tensor2D {
  return tf.tidy(() => tf.mul(tf.matMul(w.a, w.b), w.scaling) as tf.Tensor2D);
}

/** Uniform values in [-bound, bound) from `rng`. */
function uniform(rng: Rng, n: number, bound: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * rng.float() - 1) * bound;
  return out;
}

/**
 * Initial A [in, r] and B [r, out] as peft draws them. Kaiming-uniform with a = √5 on a [r, in] matrix has
 * bound gain·√(3/fan_in) = √(2/(1+5))·√(3/in) = 1/√in. `false` also draws B like nn.Linear(r, out): bound 1/√r.
 */
export function initialLoraValues(
  init: InitLoraWeights,
  inFeatures: number,
  outFeatures: number,
  r: number,
  rng: Rng,
): { a: Float32Array; b: Float32Array } {
  let a: Float32Array;
  if (init === 'gaussian') {
    a = new Float32Array(inFeatures * r);
    for (let i = 0; i < a.length; i++) a[i] = rng.normal(0, 1 / r);
  } else {
    a = uniform(rng, inFeatures * r, 1 / Math.sqrt(inFeatures));
  }
  const b = init === false ? uniform(rng, r * outFeatures, 1 / Math.sqrt(r)) : new Float32Array(r * outFeatures);
  return { a, b };
}

/** The adapter object installed as `layer.adapter`: holds every named adapter of that layer. */
export class LoraLayer implements LinearAdapterLike {
  readonly base: LinearLayerLike;
  readonly adapters = new Map<string, LoraWeights>();
  /** Adapters that `apply` adds (peft's active adapters). */
  active: string[] = [];
  /** Adapters whose update is currently inside `base.weight`. */
  merged: string[] = [];
  private backup: tf.Tensor2D | undefined;

  constructor(base: LinearLayerLike) {
    this.base = base;
  }

  /**
   * Install this object in the layer's adapter slot only while some active adapter is unmerged; otherwise
   * leave the slot empty, so a merged (or inactive) layer costs exactly what the plain layer costs.
   */
  refresh(): void {
    const needed = this.active.some((n) => this.adapters.has(n) && !this.merged.includes(n));
    this.base.adapter = needed ? this : undefined;
  }

  addAdapter(w: LoraWeights): void {
    if (this.adapters.has(w.adapterName)) throw new StateError(`lora: layer '${this.base.name}' already has an adapter named '${w.adapterName}'`);
    this.adapters.set(w.adapterName, w);
  }

  /** y = baseOut + Σ_{active, unmerged} s · dropout(x) @ A @ B. x: [N, in], baseOut: [N, out]. */
  apply(x: tf.Tensor2D, baseOut: tf.Tensor2D, training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      let out = baseOut;
      for (const name of this.active) {
        if (this.merged.includes(name)) continue;
        const w = this.adapters.get(name);
        if (!w) continue;
        const xin = training && w.dropout > 0 ? dropoutMask(x, w.dropout, w.rng) : x;
        out = tf.add(out, lowRank(w.scaling)(xin, w.a, w.b)) as tf.Tensor2D;
      }
      return out;
    });
  }

  /** Add the named adapters' updates into the base weight (checked for non-finite values first). */
  merge(names: readonly string[]): void {
    const todo = names.filter((n) => !this.merged.includes(n));
    if (todo.length === 0) return;
    const weight = this.base.weight;
    const next = tf.tidy(() => {
      let w = weight as tf.Tensor2D;
      for (const n of todo) {
        const lw = this.adapters.get(n);
        if (!lw) throw new StateError(`lora.merge: layer '${this.base.name}' has no adapter '${n}'`);
        w = tf.add(w, deltaWeight(lw)) as tf.Tensor2D;
      }
      return w;
    });
    const bad = firstNonFinite(next.dataSync() as Float32Array);
    if (bad >= 0) {
      next.dispose();
      throw new StateError(
        `lora.merge: adapter(s) ${todo.map((n) => `'${n}'`).join(', ')} on layer '${this.base.name}' would put a non-finite value into the weight (at flat index ${bad}); nothing was merged`,
      );
    }
    if (!this.backup) this.backup = tf.clone(weight) as tf.Tensor2D;
    weight.assign(next);
    next.dispose();
    this.merged.push(...todo);
    this.refresh();
  }

  /** Restore the exact pre-merge base weight. */
  unmerge(): void {
    if (this.merged.length === 0) return;
    if (!this.backup) throw new StateError(`lora.unmerge: layer '${this.base.name}' has no pre-merge weight to restore`);
    this.base.weight.assign(this.backup);
    this.backup.dispose();
    this.backup = undefined;
    this.merged = [];
    this.refresh();
  }

  /** Forget the pre-merge copy (the merged weight becomes the new base; used by mergeAndUnload). */
  commitMerge(): void {
    this.backup?.dispose();
    this.backup = undefined;
    this.merged = [];
  }

  removeAdapter(name: string): void {
    const w = this.adapters.get(name);
    if (!w) return;
    if (this.merged.includes(name)) throw new StateError(`lora: adapter '${name}' is merged into '${this.base.name}'; unmerge before deleting it`);
    w.a.dispose();
    w.b.dispose();
    this.adapters.delete(name);
    this.active = this.active.filter((n) => n !== name);
    this.refresh();
  }

  dispose(): void {
    for (const w of this.adapters.values()) {
      w.a.dispose();
      w.b.dispose();
    }
    this.adapters.clear();
    this.backup?.dispose();
    this.backup = undefined;
  }
}

/** Inverted dropout with a mask drawn from the seeded rng: x · m / (1 - p), m ~ Bernoulli(1 - p). */
function dropoutMask(x: tf.Tensor2D, p: number, rng: Rng): tf.Tensor2D {
  const n = x.size;
  const m = new Float32Array(n);
  const keep = 1 / (1 - p);
  for (let i = 0; i < n; i++) m[i] = rng.float() < p ? 0 : keep;
  return tf.mul(x, tf.tensor2d(m, x.shape)) as tf.Tensor2D;
}

/** Index of the first NaN/±Infinity, or -1. */
export function firstNonFinite(v: Float32Array): number {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return i;
  return -1;
}
