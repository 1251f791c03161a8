/**
 * P5's data-parallel replica (see the transformer's `DataParallel`): a worker thread builds a T5 of the same
 * config (its initial weights do not matter: the trainer publishes every trainable weight before each
 * update) and computes the same teacher-forced loss on its shard of the batch.
 */
import { Rng } from '@xrec/core';
import { T5Model, type DataParallel, type Replica, type T5Config } from '@xrec/transformer';
import { p5Loss, type P5Batch } from './batch.js';

export interface P5ReplicaArgs {
  readonly config: T5Config;
  /** Whether sources carry whole-word ids (`P5Options.wholeWord`). */
  readonly wholeWord: boolean;
}

/** {@link ReplicaFactory} of P5 training. */
export function p5Replica(args: P5ReplicaArgs): Replica<P5Batch> {
  const model = T5Model.create(args.config, new Rng(0));
  const rec = { model, options: { task: 'direct', domain: 'movie', wholeWord: args.wholeWord } } as const;
  return { variables: model.parameters(), lossFn: (b, training, ctx) => p5Loss(rec, b, training, ctx.seed) };
}

/**
 * Split a batch into at most `parts` shards of consecutive rows with about equal target tokens. Each shard is
 * padded to its own longest source and target: padding is masked (encoder) or after the target (decoder), so
 * a row's loss terms are those of the whole batch, and shards weighted by their tokens sum to its loss.
 */
export function splitP5Batch(b: P5Batch, parts: number): P5Batch[] {
  const n = Math.max(1, Math.min(parts, b.size));
  const out: P5Batch[] = [];
  let start = 0;
  let seen = 0;
  for (let k = 0; k < n; k++) {
    let end = start + 1;
    seen += b.rows[start]!.target.length;
    const goal = (b.tokens * (k + 1)) / n;
    while (end < b.size - (n - 1 - k) && (k === n - 1 || seen < goal)) seen += b.rows[end++]!.target.length;
    const rows = b.rows.slice(start, end);
    out.push({ rows, size: rows.length, tokens: rows.reduce((a, r) => a + r.target.length, 0) });
    start = end;
  }
  return out;
}

/** Data-parallel settings of P5 training over `workers` worker threads. */
export function p5DataParallel(args: P5ReplicaArgs, workers: number, verifyEvery?: number): DataParallel<P5Batch> {
  return { replica: { module: import.meta.url, exportName: 'p5Replica', args }, workers, split: splitP5Batch, ...(verifyEvery === undefined ? {} : { verifyEvery }) };
}
