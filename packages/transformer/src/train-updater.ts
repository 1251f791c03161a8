/**
 * One training update of the trainer, with parameter groups and several objectives:
 *
 * - **groups** give their variables their own peak learning rate (following the run's schedule) and weight
 *   decay;
 * - **update rules** (objectives) each minimise their own loss over their own variables with their own AdamW
 *   state, in order, `repeat` times per batch — e.g. UP5's alternation of a prompt objective
 *   `L_rec − λ·L_disc` (prompt variables) with a discriminator objective `L_disc` (discriminator variables).
 *   Without rules there is one: the trainer's `lossFn` over every variable.
 *
 * Each rule is clipped by its own global gradient norm. The first rule's first update gives the step's
 * reported loss and gradient norm (and its dropout seed is the step's, so a one-rule run is exactly today's).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, hashString } from '@xrec/core';
import { AdamW, clipCoefficient, defaultDecayFilter, globalNorm, type AdamSlotValues, type DecayFilter } from './optim.js';
import type { TrainerConfig } from './trainer-config.js';
import type { StepContext, TrainBatch } from './train-types.js';

/** A parameter group: variables (exact names or a predicate) with their own peak learning rate and weight decay. */
export interface ParamGroup {
  readonly name: string;
  readonly variables: readonly string[] | ((name: string) => boolean);
  /** Peak learning rate of the group (default: the run's); it follows the run's schedule. */
  readonly lr?: number;
  /** The group's learning rate as a multiple of the run's (give `lr` or `lrScale`, not both). */
  readonly lrScale?: number;
  /** Decoupled weight decay of the group (default: the run's), where the decay filter allows decay. */
  readonly weightDecay?: number;
}

/** One objective and the variables it updates. */
export interface UpdateRule<B extends TrainBatch> {
  readonly name: string;
  /** The loss this rule minimises (default: the trainer's `lossFn`). */
  readonly lossFn?: (batch: B, training: boolean, ctx: StepContext) => tf.Scalar;
  /** The variables it updates (names or a predicate over the trainer's names; default: all). Rules' sets must not overlap. */
  readonly variables?: readonly string[] | ((name: string) => boolean);
  /** Updates per batch (default 1), or a function of the global step (0 skips the rule at that step). */
  readonly repeat?: number | ((step: number) => number);
}

/** A resolved update rule: its loss, variables (names and handles, in the trainer's order) and optimizer. */
export interface Rule<B extends TrainBatch> {
  readonly name: string;
  readonly lossFn: (batch: B, training: boolean, ctx: StepContext) => tf.Scalar;
  readonly names: readonly string[];
  readonly vars: readonly tf.Variable[];
  readonly opt: AdamW;
  readonly repeat: (step: number) => number;
}

const select = (all: readonly string[], pick: readonly string[] | ((n: string) => boolean), where: string): string[] => {
  if (typeof pick === 'function') return all.filter(pick);
  const unknown = pick.filter((n) => !all.includes(n));
  if (unknown.length > 0) throw new ConfigError(`${where}: no trainable variable named ${unknown.map((n) => `'${n}'`).join(', ')}`);
  return [...pick];
};

/** The dropout seed of the r-th update of a rule within a step (the first rule's first update keeps the step's). */
/** The dropout seed of update `r` of rule `rule` at a step whose seed is `seed` (rule 0's first update keeps it). */
export function ruleSeed(seed: number, rule: number, r: number, name: string): number {
  return rule === 0 && r === 0 ? seed : (hashString(`${seed}:${name}:${r}`) & 0x7fffffff) >>> 0;
}

export class Updater<B extends TrainBatch> {
  readonly rules: readonly Rule<B>[];

  constructor(
    variables: ReadonlyMap<string, tf.Variable>,
    config: TrainerConfig,
    o: { lossFn: Rule<B>['lossFn']; updates?: readonly UpdateRule<B>[]; groups?: readonly ParamGroup[]; decayFilter?: DecayFilter },
  ) {
    const all = [...variables.keys()];
    const settings = new Map<string, { lrScale?: number; weightDecay?: number }>();
    for (const g of o.groups ?? []) {
      if (g.lr !== undefined && !(Number.isFinite(g.lr) && g.lr >= 0)) throw new ConfigError(`train: group '${g.name}': lr must be a finite number >= 0, got ${g.lr}`);
      if (g.lrScale !== undefined && !(Number.isFinite(g.lrScale) && g.lrScale >= 0)) throw new ConfigError(`train: group '${g.name}': lrScale must be a finite number >= 0, got ${g.lrScale}`);
      if (g.lr !== undefined && g.lrScale !== undefined) throw new ConfigError(`train: group '${g.name}': give lr or lrScale, not both`);
      const lrScale = g.lrScale ?? (g.lr !== undefined ? (config.lr > 0 ? g.lr / config.lr : 0) : undefined);
      for (const n of select(all, g.variables, `train: group '${g.name}'`)) {
        if (settings.has(n)) throw new ConfigError(`train: variable '${n}' is in two parameter groups (the second is '${g.name}')`);
        settings.set(n, {
          ...(lrScale !== undefined ? { lrScale } : {}),
          ...(g.weightDecay !== undefined ? { weightDecay: g.weightDecay } : {}),
        });
      }
    }
    const specs: readonly UpdateRule<B>[] = o.updates && o.updates.length > 0 ? o.updates : [{ name: 'main' }];
    const owner = new Map<string, string>();
    const adam = { beta1: config.betas[0], beta2: config.betas[1], eps: config.eps, weightDecay: config.weightDecay };
    this.rules = specs.map((u) => {
      const names = u.variables === undefined ? all : select(all, u.variables, `train: update '${u.name}'`);
      if (names.length === 0) throw new ConfigError(`train: update '${u.name}' selects no variables`);
      for (const n of names) {
        if (owner.has(n)) throw new ConfigError(`train: variable '${n}' is updated by two rules ('${owner.get(n)}' and '${u.name}'); give each rule its own variables`);
        owner.set(n, u.name);
      }
      const sub = new Map(names.map((n) => [n, variables.get(n)!]));
      const repeat = u.repeat === undefined ? () => 1 : typeof u.repeat === 'number' ? ((k: number) => () => k)(u.repeat) : u.repeat;
      return { name: u.name, lossFn: u.lossFn ?? o.lossFn, names, vars: [...sub.values()], opt: new AdamW(sub, adam, o.decayFilter ?? defaultDecayFilter, settings), repeat };
    });
  }

  /** One step on `batch` (single thread): every rule's updates in order. */
  async step(batch: B, ctx: StepContext, lr: number, clipNorm: number): Promise<{ loss: number; gradNorm: number; losses: Record<string, number> }> {
    let first: { loss: number; gradNorm: number } | undefined;
    const losses: Record<string, number> = {};
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!;
      const times = rule.repeat(ctx.step);
      for (let r = 0; r < times; r++) {
        const c: StepContext = { ...ctx, seed: ruleSeed(ctx.seed, i, r, rule.name) };
        const stats = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => rule.lossFn(batch, true, c), rule.vars as tf.Variable[]);
          const named = new Map<string, tf.Tensor | null>(rule.vars.map((v, k) => [rule.names[k]!, grads[v.name] ?? null]));
          const norm = globalNorm(named);
          rule.opt.applyGradients(named, lr, clipCoefficient(norm, clipNorm));
          return tf.stack([value, norm]);
        });
        const [loss, gradNorm] = (await stats.data()) as Float32Array;
        stats.dispose();
        losses[rule.name] = loss!;
        first ??= { loss: loss!, gradNorm: gradNorm! };
      }
    }
    if (!first) throw new ConfigError(`train: no update rule ran at step ${ctx.step} (every repeat was 0)`);
    return { ...first, losses };
  }

  /** Every rule's AdamW slots by variable name (for checkpoints). */
  async slots(): Promise<Map<string, AdamSlotValues>> {
    const out = new Map<string, AdamSlotValues>();
    for (const r of this.rules) for (const [n, s] of (await r.opt.getState()).slots) out.set(n, s);
    return out;
  }

  /** AdamW's step count per rule. */
  optimizerSteps(): Record<string, number> {
    return Object.fromEntries(this.rules.map((r) => [r.name, r.opt.step]));
  }

  /** Restore every rule's AdamW from a checkpoint (`steps`: per rule, or one count for a one-rule run). */
  restore(steps: number | Readonly<Record<string, number>>, slots: ReadonlyMap<string, AdamSlotValues>, where: string): void {
    for (const r of this.rules) {
      const t = typeof steps === 'number' ? steps : steps[r.name];
      if (t === undefined) throw new ConfigError(`${where}: the checkpoint has no optimizer state for update rule '${r.name}'`);
      r.opt.setState(t, new Map(r.names.map((n) => [n, slots.get(n)!])), where);
    }
  }

  dispose(): void {
    for (const r of this.rules) r.opt.dispose();
  }
}
