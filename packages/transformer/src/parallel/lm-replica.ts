/**
 * The data-parallel replica of a plain language model (`train lm`, `pretrain`, `bench speed`): the model is
 * rebuilt from its config in the worker (its initial weights do not matter: the trainer publishes its own).
 */
import { Rng } from '@xrec/core';
import { resolveTransformerConfig, type TransformerConfig } from '../config.js';
import { lmLoss, splitLmBatch, type LmBatch } from '../lm-batch.js';
import { TransformerLM } from '../model.js';
import type { DataParallel, Replica } from '../train-types.js';

export interface LmReplicaArgs {
  readonly config: TransformerConfig;
}

/** {@link ReplicaFactory} of a {@link TransformerLM} trained on {@link LmBatch}es. */
export function lmReplica(args: LmReplicaArgs): Replica<LmBatch> {
  const model = TransformerLM.create(resolveTransformerConfig(args.config), new Rng(0));
  return { variables: model.trainableVariables(), lossFn: (b, training, ctx) => lmLoss(model, b, training, ctx.seed) };
}

/** Data-parallel settings for a language model of `config` over `workers` worker threads. */
export function lmDataParallel(config: TransformerConfig, workers: number): DataParallel<LmBatch> {
  return { replica: { module: import.meta.url, exportName: 'lmReplica', args: { config } satisfies LmReplicaArgs }, workers, split: splitLmBatch };
}
