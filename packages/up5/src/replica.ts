/**
 * UP5's data-parallel replica (see the transformer's `DataParallel`) for a fair prompt and for the
 * adversarial fine-tuning baseline: a worker thread loads the P5 from the snapshot the trainer wrote, builds a
 * prompt (or takes the P5's own weights) and a discriminator of the same shapes — their values arrive from the
 * trainer before each update — and computes the rule's loss on its shard.
 */
import { Rng } from '@xrec/core';
import { P5Recommender } from '@xrec/p5';
import type { DataParallel, Replica } from '@xrec/transformer';
import { splitCfpBatch, type CfpBatch } from './cfp-batch.js';
import { adversarialLosses } from './cfp-loss.js';
import { Discriminator, type AdversaryObjective, type DiscriminatorSpec } from './discriminator.js';
import { FairPrefix, type FairPrefixConfig } from './fair-prefix.js';

export interface Up5ReplicaArgs {
  /** A P5 saved by the trainer when the training started. */
  readonly p5Dir: string;
  /** A fair prompt for `attribute` (the P5 frozen), or the P5's own weights (the fine-tuning baseline). */
  readonly player: { readonly kind: 'prefix'; readonly attribute: string; readonly config: FairPrefixConfig } | { readonly kind: 'model' };
  readonly discriminator: DiscriminatorSpec;
  readonly lambda: number;
  readonly adversary: AdversaryObjective;
}

/** {@link ReplicaFactory} of UP5's adversarial trainings: rules `player` and `discriminator`. */
export async function up5Replica(args: Up5ReplicaArgs): Promise<Replica<CfpBatch>> {
  const rec = await P5Recommender.load(args.p5Dir);
  const disc = Discriminator.fromSpec(args.discriminator);
  const prefix = args.player.kind === 'prefix' ? FairPrefix.create(args.player.attribute, rec.model.config, args.player.config, new Rng(0)) : undefined;
  const playerVars = prefix ? prefix.variables() : rec.model.parameters();
  const losses = adversarialLosses(rec, disc, prefix ? { prefix: (x) => prefix.prefix(x), modelTraining: false } : { modelTraining: true }, args.lambda, args.adversary);
  return {
    variables: new Map([...playerVars, ...disc.variables()]),
    lossFn: (b, training, ctx, rule) => (rule === 'discriminator' ? losses.discriminator(b) : losses.player(b, training, ctx.seed)),
  };
}

/** Data-parallel settings of a UP5 adversarial training over `workers` worker threads. */
export function up5DataParallel(args: Up5ReplicaArgs, workers: number, verifyEvery?: number): DataParallel<CfpBatch> {
  return { replica: { module: import.meta.url, exportName: 'up5Replica', args }, workers, split: splitCfpBatch, ...(verifyEvery === undefined ? {} : { verifyEvery }) };
}
