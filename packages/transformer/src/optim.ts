/**
 * AdamW — Adam with decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight Decay
 * Regularization", arXiv:1711.05101; Kingma & Ba 2015 for Adam), written over named `tf.Variable`s.
 *
 * For each variable p with gradient g at update t = 1, 2, ... (PyTorch's `torch.optim.AdamW`):
 *
 *   p ← p · (1 − lr · λ)                     (only where the decay filter says so)
 *   m ← β1 · m + (1 − β1) · g
 *   v ← β2 · v + (1 − β2) · g²
 *   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 *
 * Unlike tfjs's built-in optimizers, the slots m and v are kept **by variable name**, so a checkpoint
 * can store them by name and a change of the trainable set can never pair a slot with the wrong
 * variable (tfjs's optimizers keep them by position). An `AdamW` is bound to the variable map it was
 * created with; a new trainable set gets a new optimizer.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, ShapeError, StateError, is, resolveConfig, type ConfigSpec } from '@xrec/core';
import { registerJsKernel } from './kernels/registry.js';

/** Name of the fused AdamW update kernel (wasm and cpu backends). */
export const ADAMW_KERNEL = 'XrecAdamW';

export interface AdamWAttrs {
  beta1: number;
  beta2: number;
  eps: number;
  /** 1 − lr·λ (1 when the variable is not decayed). */
  keep: number;
  /** lr / (1 − β1^t). */
  stepSize: number;
  /** 1 / √(1 − β2^t). */
  invSqrtBc2: number;
}

let adamwKernelRegistered = false;

/**
 * Register the fused update: one JS pass over (p, g, m, v, scale) computes the new p, m, v with the
 * formulas in the file header, g scaled by `scale[0]` (the clipping coefficient). On wasm a chain of ~14
 * element-wise tfjs ops per variable costs a pass over memory each; this is one pass.
 */
function ensureAdamWKernel(): void {
  if (adamwKernelRegistered) return;
  adamwKernelRegistered = true;
  registerJsKernel(
    {
      name: ADAMW_KERNEL,
      outShapes: (shapes) => [shapes[0]!, shapes[0]!, shapes[0]!],
      compute: ([p, g, m, v, scale], [pOut, mOut, vOut], _shapes, attrs) => {
        const { beta1, beta2, eps, keep, stepSize, invSqrtBc2 } = attrs as unknown as AdamWAttrs;
        const c = scale![0]!;
        const b1c = 1 - beta1;
        const b2c = 1 - beta2;
        const n = p!.length;
        for (let i = 0; i < n; i++) {
          const gi = g![i]! * c;
          const mi = beta1 * m![i]! + b1c * gi;
          const vi = beta2 * v![i]! + b2c * gi * gi;
          mOut![i] = mi;
          vOut![i] = vi;
          pOut![i] = p![i]! * keep - (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps);
        }
      },
    },
    ['p', 'g', 'm', 'v', 'scale'],
  );
}

/** Name of the fused Σ g² kernel used by {@link globalNorm}. */
export const SUM_SQUARES_KERNEL = 'XrecSumSquares';

let sumSquaresRegistered = false;

function ensureSumSquaresKernel(): boolean {
  if (!sumSquaresRegistered) {
    sumSquaresRegistered = true;
    registerJsKernel(
      {
        name: SUM_SQUARES_KERNEL,
        outShapes: () => [[]],
        compute: ([x], [out]) => {
          let acc = 0; // float64 accumulation
          const n = x!.length;
          for (let i = 0; i < n; i++) acc += x![i]! * x![i]!;
          out![0] = acc;
        },
      },
      ['x'],
    );
  }
  return tf.getKernel(SUM_SQUARES_KERNEL, tf.getBackend()) !== undefined;
}

/** Whether the active backend has the fused AdamW kernel. */
function fusedAvailable(): boolean {
  ensureAdamWKernel();
  return tf.getKernel(ADAMW_KERNEL, tf.getBackend()) !== undefined;
}

export interface AdamWConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Decoupled weight decay λ (multiplied by the current learning rate, as in PyTorch). */
  readonly weightDecay: number;
}

export const DEFAULT_ADAMW_CONFIG: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

/** Decides per variable whether weight decay applies. */
export type DecayFilter = (name: string, variable: tf.Variable) => boolean;

/**
 * The default decay filter: decay weight matrices only. Biases, normalisation weights (rank < 2 or a
 * name containing `norm` / `ln_`) and embeddings (`wte`, `wpe`, `embed`) are not decayed — the usual
 * GPT-2 / Llama recipe (nanoGPT decays only 2-D tensors; we also spare the embedding tables).
 */
export const defaultDecayFilter: DecayFilter = (name, variable) => {
  if (variable.rank < 2) return false;
  return !/(^|\.)bias$|norm|(^|\.)ln_|(^|\.)wte(\.|$)|(^|\.)wpe(\.|$)|embed/i.test(name);
};

const ADAMW_SPEC: ConfigSpec<AdamWConfig> = {
  beta1: { check: is.num(0, { max: 1, maxExclusive: true }), default: DEFAULT_ADAMW_CONFIG.beta1 },
  beta2: { check: is.num(0, { max: 1, maxExclusive: true }), default: DEFAULT_ADAMW_CONFIG.beta2 },
  eps: { check: is.num(0, { exclusive: true }), default: DEFAULT_ADAMW_CONFIG.eps },
  weightDecay: { check: is.num(0), default: DEFAULT_ADAMW_CONFIG.weightDecay },
};

/** Fill defaults and validate (the core resolver: unknown fields are errors naming the closest field). */
export function resolveAdamWConfig(partial: Partial<AdamWConfig> = {}): AdamWConfig {
  return resolveConfig('AdamWConfig', ADAMW_SPEC, partial);
}

/** First and second moment of one variable. */
export interface AdamSlots {
  readonly m: tf.Variable;
  readonly v: tf.Variable;
}

/** Plain-array snapshot of a slot pair, for checkpoints. */
export interface AdamSlotValues {
  readonly m: Float32Array;
  readonly v: Float32Array;
}

export class AdamW {
  readonly config: AdamWConfig;
  /** Updates applied so far (t − 1 during the next update). */
  get step(): number {
    return this.t;
  }
  private t = 0;
  private readonly vars: ReadonlyMap<string, tf.Variable>;
  private readonly slots = new Map<string, AdamSlots>();
  private readonly decay = new Map<string, boolean>();
  /** Per-variable learning-rate multiplier and weight decay (parameter groups); absent: 1 and config.weightDecay. */
  private readonly group = new Map<string, { lrScale: number; weightDecay: number }>();
  private disposed = false;
  private useFused: boolean | undefined;

  /**
   * @param variables the named trainable set (the optimizer is bound to exactly these names)
   * @param decayFilter which variables get weight decay (default {@link defaultDecayFilter})
   * @param groups per-variable settings of parameter groups: a learning-rate multiplier and a weight decay
   *   (which replaces config.weightDecay for that variable; the decay filter still decides where it applies)
   */
  constructor(
    variables: ReadonlyMap<string, tf.Variable>,
    config: Partial<AdamWConfig> = {},
    decayFilter: DecayFilter = defaultDecayFilter,
    groups: ReadonlyMap<string, { readonly lrScale?: number; readonly weightDecay?: number }> = new Map(),
  ) {
    this.config = resolveAdamWConfig(config);
    if (variables.size === 0) throw new ConfigError('AdamW: the variable map is empty (nothing to train)');
    this.vars = new Map(variables);
    for (const [name, v] of variables) {
      if (v.dtype !== 'float32') throw new ConfigError(`AdamW: variable '${name}' has dtype ${v.dtype}, expected float32`);
      // A variable keeps its own reference to its initial value: release ours so train() leaks nothing.
      // m and v get separate buffers (the fused update writes them in place).
      const zm = tf.zerosLike(v);
      const zv = tf.zerosLike(v);
      this.slots.set(name, {
        m: tf.variable(zm, false, undefined, 'float32'),
        v: tf.variable(zv, false, undefined, 'float32'),
      });
      zm.dispose();
      zv.dispose();
      const g = groups.get(name);
      const wd = g?.weightDecay ?? this.config.weightDecay;
      const lrScale = g?.lrScale ?? 1;
      if (!(Number.isFinite(lrScale) && lrScale >= 0) || !(Number.isFinite(wd) && wd >= 0)) {
        throw new ConfigError(`AdamW: group settings of '${name}' must be finite and >= 0, got lr scale ${lrScale}, weight decay ${wd}`);
      }
      this.group.set(name, { lrScale, weightDecay: wd });
      this.decay.set(name, wd > 0 && decayFilter(name, v));
    }
  }

  /** Variable names this optimizer updates, in insertion order. */
  names(): string[] {
    return [...this.vars.keys()];
  }

  /** Whether weight decay applies to `name`. */
  decays(name: string): boolean {
    return this.decay.get(name) ?? false;
  }

  /**
   * Apply one update with learning rate `lr`. `grads` maps variable names to gradients; a missing or null
   * gradient leaves that variable and its slots untouched (as PyTorch does for `grad is None`), but the
   * step counter t advances once per call. `gradScale` (a scalar tensor, e.g. the clipping coefficient of
   * {@link clipCoefficient}) multiplies every gradient first. Safe to call inside `tf.tidy`.
   *
   * On the wasm and cpu backends the update runs as one fused kernel per variable ({@link ADAMW_KERNEL});
   * elsewhere as tfjs ops. Both compute the same formulas.
   */
  applyGradients(grads: ReadonlyMap<string, tf.Tensor | null | undefined>, lr: number, gradScale?: tf.Scalar): void {
    this.checkAlive();
    if (!Number.isFinite(lr) || lr < 0) throw new ConfigError(`AdamW.applyGradients: lr must be a finite number >= 0, got ${lr}`);
    for (const [name, g] of grads) {
      const p = this.vars.get(name);
      if (!p) {
        throw new StateError(`AdamW.applyGradients: gradient for '${name}', which is not in this optimizer's variable set (${this.vars.size} variables); create a new AdamW when the trainable set changes`);
      }
      if (g && !sameShape(g.shape, p.shape)) {
        throw new ShapeError(`AdamW.applyGradients: gradient of '${name}' has shape [${g.shape.join(', ')}], variable has [${p.shape.join(', ')}]`);
      }
    }
    this.t += 1;
    const { beta1, beta2, eps } = this.config;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    const invSqrtBc2 = 1 / Math.sqrt(bc2);
    // per variable: its group's learning rate and weight decay
    const rate = (name: string) => {
      const g = this.group.get(name)!;
      const lrV = lr * g.lrScale;
      return { stepSize: lrV / bc1, keep: this.decay.get(name) ? 1 - lrV * g.weightDecay : 1 };
    };
    const fused = this.useFused ?? (this.useFused = fusedAvailable());
    tf.tidy(() => {
      const scale = gradScale ?? tf.scalar(1);
      if (fused) {
        for (const [name, p] of this.vars) {
          const g = grads.get(name);
          if (g === null || g === undefined) continue;
          const s = this.slots.get(name)!;
          const { stepSize, keep } = rate(name);
          const attrs: AdamWAttrs = { beta1, beta2, eps, keep, stepSize, invSqrtBc2 };
          const [pNew, mNew, vNew] = tf.engine().runKernel(ADAMW_KERNEL, { p, g, m: s.m, v: s.v, scale }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
          s.m.assign(mNew!);
          s.v.assign(vNew!);
          p.assign(pNew!);
        }
        return;
      }
      const b1 = tf.scalar(beta1);
      const b1c = tf.scalar(1 - beta1);
      const b2 = tf.scalar(beta2);
      const b2c = tf.scalar(1 - beta2);
      const invBc2 = tf.scalar(invSqrtBc2);
      const epsT = tf.scalar(eps);
      for (const [name, p] of this.vars) {
        const g0 = grads.get(name);
        if (g0 === null || g0 === undefined) continue;
        const r = rate(name);
        const negStep = tf.scalar(-r.stepSize);
        const keep = tf.scalar(r.keep);
        const g = gradScale ? tf.mul(g0, scale) : g0;
        const s = this.slots.get(name)!;
        const m = tf.add(tf.mul(s.m, b1), tf.mul(g, b1c));
        const v = tf.add(tf.mul(s.v, b2), tf.mul(tf.square(g), b2c));
        s.m.assign(m);
        s.v.assign(v);
        const denom = tf.add(tf.mul(tf.sqrt(v), invBc2), epsT);
        const base = this.decay.get(name) ? tf.mul(p, keep) : p;
        p.assign(tf.add(base, tf.mul(tf.div(m, denom), negStep)));
      }
    });
  }

  /** Force the tfjs-ops path (`false`) or the fused kernel (`true`); undefined = fused where registered. */
  setFused(fused: boolean | undefined): void {
    this.useFused = fused === undefined ? undefined : fused && fusedAvailable();
  }

  /** The slot variables by name (read-only use: checkpoints, tests). */
  slotsOf(name: string): AdamSlots | undefined {
    return this.slots.get(name);
  }

  /** Snapshot of t and every slot (for checkpoints). */
  async getState(): Promise<{ step: number; slots: Map<string, AdamSlotValues> }> {
    this.checkAlive();
    const out = new Map<string, AdamSlotValues>();
    for (const [name, s] of this.slots) {
      out.set(name, { m: (await s.m.data()) as Float32Array, v: (await s.v.data()) as Float32Array });
    }
    return { step: this.t, slots: out };
  }

  /**
   * Restore t and the slots. Every variable of this optimizer must be present with the right size;
   * names not in this optimizer are an error (a different trainable set needs a fresh optimizer).
   */
  setState(step: number, slots: ReadonlyMap<string, AdamSlotValues>, where = 'AdamW.setState'): void {
    this.checkAlive();
    if (!Number.isInteger(step) || step < 0) throw new StateError(`${where}: step must be a non-negative integer, got ${step}`);
    for (const name of slots.keys()) {
      if (!this.vars.has(name)) throw new StateError(`${where}: slots for '${name}', which is not in this optimizer's variable set`);
    }
    for (const [name, s] of this.slots) {
      const vals = slots.get(name);
      if (!vals) throw new StateError(`${where}: no slots for variable '${name}'`);
      for (const k of ['m', 'v'] as const) {
        if (vals[k].length !== s[k].size) {
          throw new ShapeError(`${where}: slot ${k} of '${name}' has ${vals[k].length} values, variable [${s[k].shape.join(', ')}] needs ${s[k].size}`);
        }
      }
    }
    for (const [name, s] of this.slots) {
      const vals = slots.get(name)!;
      tf.tidy(() => {
        s.m.assign(tf.tensor(vals.m, s.m.shape, 'float32'));
        s.v.assign(tf.tensor(vals.v, s.v.shape, 'float32'));
      });
    }
    this.t = step;
  }

  /** Release the slot variables. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
  }

  private checkAlive(): void {
    if (this.disposed) throw new StateError('AdamW: optimizer was disposed');
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Global L2 norm √(Σ_g Σ g²) of the present gradients, as a scalar tensor (no read-back). */
export function globalNorm(grads: ReadonlyMap<string, tf.Tensor | null | undefined>): tf.Scalar {
  const fused = ensureSumSquaresKernel();
  const sumSq = (g: tf.Tensor): tf.Tensor =>
    fused && g.dtype === 'float32' ? (tf.engine().runKernel(SUM_SQUARES_KERNEL, { x: g }) as tf.Tensor) : tf.sum(tf.square(g));
  const sq = [...grads.values()].filter((g): g is tf.Tensor => g !== null && g !== undefined).map(sumSq);
  if (sq.length === 0) return tf.scalar(0);
  return tf.sqrt(sq.length === 1 ? sq[0]! : tf.addN(sq)) as tf.Scalar;
}

/** PyTorch's clipping coefficient min(1, maxNorm / (norm + 1e-6)); 1 when `maxNorm <= 0` (clipping off). */
export function clipCoefficient(norm: tf.Scalar, maxNorm: number): tf.Scalar {
  if (!(maxNorm > 0)) return tf.onesLike(norm);
  return tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.add(norm, tf.scalar(1e-6)))) as tf.Scalar;
}

/**
 * Global-norm gradient clipping (Pascanu et al. 2013; PyTorch's `clip_grad_norm_`):
 *
 *   n = √(Σ_g Σ g²),   g ← g · min(1, maxNorm / (n + 1e-6))
 *
 * Returns the clipped gradients (new tensors; the caller's tidy owns them) and the pre-clip norm n as a
 * scalar tensor. `maxNorm <= 0` disables clipping (the norm is still computed). No data is read back.
 * (The trainer instead passes {@link clipCoefficient} to {@link AdamW.applyGradients}, saving a pass.)
 */
export function clipByGlobalNorm(
  grads: ReadonlyMap<string, tf.Tensor | null | undefined>,
  maxNorm: number,
): { grads: Map<string, tf.Tensor>; norm: tf.Scalar } {
  const present = [...grads].filter((e): e is [string, tf.Tensor] => e[1] !== null && e[1] !== undefined);
  const norm = globalNorm(grads);
  if (!(maxNorm > 0) || present.length === 0) return { grads: new Map(present), norm };
  const coef = clipCoefficient(norm, maxNorm);
  return { grads: new Map(present.map(([n, g]) => [n, tf.mul(g, coef)])), norm };
}
