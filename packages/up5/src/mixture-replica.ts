/**
 * The prompt mixture's data-parallel replica: a worker thread loads the P5 from the trainer's snapshot, rebuilds
 * the frozen prompts from their weights (they travel in the args), and a mixture and discriminators of the
 * same shapes, whose values arrive from the trainer before each update.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { P5Recommender } from '@xrec/p5';
import type { DataParallel, Replica } from '@xrec/transformer';
import { Discriminator, type AdversaryObjective, type DiscriminatorSpec } from './discriminator.js';
import { FairPrefix, type FairPrefixConfig } from './fair-prefix.js';
import { PromptMixture, type PromptMixtureConfig } from './prompt-mixture.js';
import { mixtureLosses, splitMixBatch, type MixBatch } from './mixture-loss.js';

export interface MixtureReplicaArgs {
  readonly p5Dir: string;
  readonly mixture: PromptMixtureConfig;
  /** The frozen prompts, in the trainer's order, with their weights by variable name. */
  readonly prompts: readonly { readonly attribute: string; readonly config: FairPrefixConfig; readonly weights: readonly (readonly [string, Float32Array])[] }[];
  readonly discriminators: readonly DiscriminatorSpec[];
  readonly lambda: number;
  readonly adversary: AdversaryObjective;
  readonly keepWeight: number;
}

/** {@link ReplicaFactory} of the mixture's training: rules `mixture` and `discriminators`. */
export async function up5MixtureReplica(args: MixtureReplicaArgs): Promise<Replica<MixBatch>> {
  const rec = await P5Recommender.load(args.p5Dir);
  const prompts = args.prompts.map((p) => {
    const prefix = FairPrefix.create(p.attribute, rec.model.config, p.config, new Rng(0));
    const vars = prefix.variables();
    for (const [name, w] of p.weights) tf.tidy(() => vars.get(name)!.assign(tf.tensor(w, vars.get(name)!.shape)));
    return prefix;
  });
  const mixture = new PromptMixture(rec.model.config, args.mixture, new Rng(0));
  const discs = args.discriminators.map((d) => Discriminator.fromSpec(d));
  const losses = mixtureLosses(rec, mixture, prompts, discs, args.lambda, args.adversary, args.keepWeight);
  const dv = discs.flatMap((d, i) => [...d.variables()].map(([n, v]) => [`${args.prompts[i]!.attribute}.${n}`, v] as const));
  return {
    variables: new Map([...mixture.variables(), ...dv]),
    lossFn: (b, _training, ctx, rule) => (rule === 'discriminators' ? losses.discriminators(b) : losses.mixture(b, ctx.seed)),
  };
}

/** Data-parallel settings of the mixture's training over `workers` worker threads. */
export function mixtureDataParallel(args: MixtureReplicaArgs, workers: number, verifyEvery?: number): DataParallel<MixBatch> {
  return { replica: { module: import.meta.url, exportName: 'up5MixtureReplica', args }, workers, split: splitMixBatch, ...(verifyEvery === undefined ? {} : { verifyEvery }) };
}
