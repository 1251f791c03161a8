/** One data-parallel update of the trainer (see {@link DataParallel}). */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, hashString } from '@xrec/core';
import type { DataParallel, StepContext, TrainBatch } from '../train-types.js';
import type { ReplicaPool } from './pool.js';

const tokensOf = (b: TrainBatch): number => b.tokens ?? b.size;

/** The dropout seed of shard r > 0 of a step (shard 0 keeps the step's own seed). */
function shardSeed(seed: number, step: number, r: number): number {
  return (hashString(`${seed}:train:${r}:${step}`) & 0x7fffffff) >>> 0;
}

/**
 * One data-parallel update: shards go to the workers, the trainer computes the first shard meanwhile, the
 * weighted gradients are summed (the trainer's shard first, then the workers' in order) and `apply` runs the
 * optimizer on them. Dropout seeds are per (step, shard). Returns [loss, gradNorm] and the exchange time.
 */
export async function parallelUpdate<B extends TrainBatch>(
  pool: ReplicaPool,
  dp: DataParallel<B>,
  batch: B,
  varList: readonly tf.Variable[],
  names: readonly string[],
  lossFn: (b: B, ctx: StepContext) => tf.Scalar,
  ctx: StepContext,
  seed: number,
  apply: (named: Map<string, tf.Tensor | null>) => tf.Scalar,
): Promise<{ stats: tf.Tensor; exchangeSeconds: number }> {
  const shards = dp.split(batch, pool.size + 1);
  if (shards.length === 0 || shards.length > pool.size + 1) throw new ConfigError(`train: split gave ${shards.length} shards for ${pool.size + 1} replicas`);
  const total = shards.reduce((a, b) => a + tokensOf(b), 0);
  const weights = shards.map((b) => tokensOf(b) / total);
  const ctxs = shards.map((_, r) => (r === 0 ? ctx : { ...ctx, seed: shardSeed(seed, ctx.step, r) }));
  let exchange = pool.dispatch(varList, shards.slice(1), ctxs.slice(1), weights.slice(1));
  const own = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => lossFn(shards[0]!, ctxs[0]!), varList as tf.Variable[]);
    return [value, ...varList.map((v) => tf.mul(grads[v.name] ?? tf.zerosLike(v), weights[0]!))];
  });
  const t0 = performance.now();
  const { losses, gradient } = await pool.gather();
  exchange += (performance.now() - t0) / 1000;
  const summed = (i: number): Float32Array => {
    const t = performance.now();
    const g = gradient(i);
    exchange += (performance.now() - t) / 1000;
    return g;
  };
  const stats = tf.tidy(() => {
    const named = new Map<string, tf.Tensor | null>();
    varList.forEach((v, i) => named.set(names[i]!, shards.length > 1 ? tf.add(own[i + 1]!, tf.tensor(summed(i), v.shape, 'float32')) : own[i + 1]!));
    const norm = apply(named);
    const loss = losses.reduce((a, l, i) => a + l * weights[i + 1]!, 0);
    return tf.stack([tf.add(tf.mul(own[0]!, weights[0]!), loss), norm]);
  });
  tf.dispose(own);
  pool.invalidate();
  return { stats, exchangeSeconds: exchange };
}

