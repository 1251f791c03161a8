/** One data-parallel update of the trainer (see {@link DataParallel}). */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, hashString } from '@xrec/core';
import { clipCoefficient, globalNorm } from '../optim.js';
import type { DataParallel, StepContext, TrainBatch } from '../train-types.js';
import { ruleSeed, type Updater } from '../train-updater.js';
import type { ReplicaPool } from './pool.js';

const tokensOf = (b: TrainBatch): number => b.tokens ?? b.size;

/** The dropout seed of shard r > 0 of an update whose seeds derive from `seed` (shard 0 keeps the update's own). */
function shardSeed(seed: number, step: number, r: number): number {
  return (hashString(`${seed}:train:${r}:${step}`) & 0x7fffffff) >>> 0;
}

/** The variables an update takes the gradient of: their layout slots, handles and names. */
export interface UpdateTarget {
  readonly rule: string;
  readonly slots: readonly number[];
  readonly vars: readonly tf.Variable[];
  readonly names: readonly string[];
}

/**
 * One data-parallel update: shards go to the workers, the trainer computes the first shard meanwhile, the
 * weighted gradients are summed (the trainer's shard first, then the workers' in order) and `apply` runs the
 * optimizer on them. Shard r > 0 draws its dropout seed from `shardBase`, the step and r. Returns
 * [loss, gradNorm] and the exchange time.
 */
export async function parallelUpdate<B extends TrainBatch>(
  pool: ReplicaPool,
  dp: DataParallel<B>,
  batch: B,
  all: readonly tf.Variable[],
  target: UpdateTarget,
  lossFn: (b: B, ctx: StepContext) => tf.Scalar,
  ctx: StepContext,
  shardBase: number,
  apply: (named: Map<string, tf.Tensor | null>) => tf.Scalar,
): Promise<{ stats: tf.Tensor; exchangeSeconds: number }> {
  const shards = dp.split(batch, pool.size + 1);
  if (shards.length === 0 || shards.length > pool.size + 1) throw new ConfigError(`train: split gave ${shards.length} shards for ${pool.size + 1} replicas`);
  const total = shards.reduce((a, b) => a + tokensOf(b), 0);
  const weights = shards.map((b) => tokensOf(b) / total);
  const ctxs = shards.map((_, r) => (r === 0 ? ctx : { ...ctx, seed: shardSeed(shardBase, ctx.step, r) }));
  let exchange = pool.dispatch(all, shards.slice(1), ctxs.slice(1), weights.slice(1), target.rule, target.slots);
  const own = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => lossFn(shards[0]!, ctxs[0]!), target.vars as tf.Variable[]);
    return [value, ...target.vars.map((v) => tf.mul(grads[v.name] ?? tf.zerosLike(v), weights[0]!))];
  });
  const t0 = performance.now();
  const { losses, gradient } = await pool.gather();
  exchange += (performance.now() - t0) / 1000;
  const summed = (slot: number): Float32Array => {
    const t = performance.now();
    const g = gradient(slot);
    exchange += (performance.now() - t) / 1000;
    return g;
  };
  const stats = tf.tidy(() => {
    const named = new Map<string, tf.Tensor | null>();
    target.vars.forEach((v, i) => named.set(target.names[i]!, shards.length > 1 ? tf.add(own[i + 1]!, tf.tensor(summed(target.slots[i]!), v.shape, 'float32')) : own[i + 1]!));
    const norm = apply(named);
    const loss = losses.reduce((a, l, i) => a + l * weights[i + 1]!, 0);
    return tf.stack([tf.add(tf.mul(own[0]!, weights[0]!), loss), norm]);
  });
  tf.dispose(own);
  pool.invalidate();
  return { stats, exchangeSeconds: exchange };
}

/**
 * One data-parallel training step: every update rule's updates in order, as `Updater.step` does on one thread
 * (same rule seeds, same clipping per rule), each update split over the replicas. The first rule's first
 * update gives the step's loss and gradient norm, and its shards draw their seeds as a one-rule run's do.
 */
export async function parallelStep<B extends TrainBatch>(
  pool: ReplicaPool,
  dp: DataParallel<B>,
  updater: Updater<B>,
  batch: B,
  ctx: StepContext,
  o: { lr: number; clipNorm: number; seed: number; all: readonly tf.Variable[]; slotOf: ReadonlyMap<string, number> },
): Promise<{ loss: number; gradNorm: number; losses: Record<string, number>; exchangeSeconds: number }> {
  let first: { loss: number; gradNorm: number } | undefined;
  const losses: Record<string, number> = {};
  let exchangeSeconds = 0;
  for (let i = 0; i < updater.rules.length; i++) {
    const rule = updater.rules[i]!;
    const target: UpdateTarget = { rule: rule.name, slots: rule.names.map((n) => o.slotOf.get(n)!), vars: rule.vars, names: rule.names };
    const times = rule.repeat(ctx.step);
    for (let r = 0; r < times; r++) {
      const c: StepContext = { ...ctx, seed: ruleSeed(ctx.seed, i, r, rule.name) };
      const p = await parallelUpdate(pool, dp, batch, o.all, target, (b, cc) => rule.lossFn(b, true, cc), c, i === 0 && r === 0 ? o.seed : c.seed, (named) => {
        const norm = globalNorm(named);
        rule.opt.applyGradients(named, o.lr, clipCoefficient(norm, o.clipNorm));
        return norm;
      });
      const [loss, gradNorm] = (await p.stats.data()) as Float32Array;
      p.stats.dispose();
      exchangeSeconds += p.exchangeSeconds;
      losses[rule.name] = loss!;
      first ??= { loss: loss!, gradNorm: gradNorm! };
    }
  }
  if (!first) throw new ConfigError(`train: no update rule ran at step ${ctx.step} (every repeat was 0)`);
  return { ...first, losses, exchangeSeconds };
}
