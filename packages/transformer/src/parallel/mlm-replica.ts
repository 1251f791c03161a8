/** The data-parallel replica of a masked-LM encoder (`xrec pretrain --objective mlm`); see lm-replica.ts. */
import { Rng } from '@xrec/core';
import { resolveTransformerConfig, type TransformerConfig } from '../config.js';
import { mlmLoss, splitMlmBatch, type MlmBatch } from '../mlm-batch.js';
import { TransformerLM } from '../model.js';
import type { DataParallel, Replica } from '../train-types.js';

export interface MlmReplicaArgs {
  readonly config: TransformerConfig;
}

/** {@link ReplicaFactory} of a {@link TransformerLM} trained on {@link MlmBatch}es. */
export function mlmReplica(args: MlmReplicaArgs): Replica<MlmBatch> {
  const model = TransformerLM.create(resolveTransformerConfig(args.config), new Rng(0));
  return { variables: model.trainableVariables(), lossFn: (b, training, ctx) => mlmLoss(model, b, training, ctx.seed) };
}

/** Data-parallel settings for a masked-LM encoder of `config` over `workers` worker threads. */
export function mlmDataParallel(config: TransformerConfig, workers: number): DataParallel<MlmBatch> {
  return { replica: { module: import.meta.url, exportName: 'mlmReplica', args: { config } satisfies MlmReplicaArgs }, workers, split: splitMlmBatch };
}
