/**
 * The data-parallel replica of LoRA fine-tuning (see the transformer's `DataParallel`): a worker loads the
 * same frozen base model from its file (frozen weights are never exchanged, so it must be the same file) and
 * injects the same adapters; the trainer publishes the adapters' weights before every update.
 */
import { existsSync, statSync } from 'node:fs';
import { ConfigError } from '@xrec/core';
import { lmLoss, loadLlama2c, splitLmBatch, TransformerLM, type DataParallel, type LmBatch, type Replica } from '@xrec/transformer';
import type { LoraConfig } from './config.js';
import { injectLora } from './lora-model.js';

export interface LoraReplicaArgs {
  /** The base model: a model directory or a llama2.c .bin (the same file the trainer loaded). */
  readonly base: string;
  readonly config: LoraConfig;
  readonly seed: number;
}

/** {@link ReplicaFactory} of LoRA on a language model trained on {@link LmBatch}es. */
export async function loraReplica(args: LoraReplicaArgs): Promise<Replica<LmBatch>> {
  if (!existsSync(args.base)) throw new ConfigError(`loraReplica: base model ${args.base} does not exist`);
  const model = statSync(args.base).isDirectory() ? await TransformerLM.load(args.base) : await loadLlama2c(args.base);
  const lm = injectLora(model, args.config, { seed: args.seed });
  return {
    variables: lm.trainableVariables(),
    lossFn: (b, training, ctx) => {
      lm.reseedDropout(ctx.seed);
      return lmLoss(model, b, training, ctx.seed);
    },
  };
}

/** Data-parallel settings of LoRA fine-tuning over `workers` worker threads. */
export function loraDataParallel(args: LoraReplicaArgs, workers: number): DataParallel<LmBatch> {
  return { replica: { module: import.meta.url, exportName: 'loraReplica', args }, workers, split: splitLmBatch };
}
