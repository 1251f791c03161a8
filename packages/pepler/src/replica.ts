/**
 * PEPLER's data-parallel replica (see the transformer's `DataParallel`): a worker thread rebuilds the model of
 * one stage — the LM from a snapshot the trainer wrote when the stage started (so frozen weights are the
 * trainer's, whatever the LM's origin), prompt tables and rating head of the variant's shapes, LoRA adapters
 * with the trainer's seed in a LoRA stage — and computes the same loss; the trainable weights arrive from
 * the trainer before every update.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { EntityPromptTable } from '@xrec/prompts';
import { nativeStatus, resolveWorkers, TransformerLM, type DataParallel, type Replica } from '@xrec/transformer';
import { peplerBatchLoss } from './batch-loss.js';
import { splitPeplerBatch, type PeplerBatch } from './batches.js';
import type { PeplerConfig } from './config.js';
import { attachLora } from './lora-stage.js';
import { MfHead, MlpHead, type RatingHead } from './rating-head.js';
import type { PeplerLM, PeplerStage, PeplerTrainOptions } from './types.js';

export interface PeplerReplicaArgs {
  /** The LM as it was when the stage started (a model directory written by `save`). */
  readonly lmDir: string;
  readonly config: PeplerConfig;
  readonly users: number;
  readonly items: number;
  readonly stage: PeplerStage;
  /** Seed of the LoRA adapters (LoRA stage only). */
  readonly loraSeed?: number;
}

/** The variables a stage trains, by name, in the trainer's order (shared with `Pepler.fit`). */
export function stageVariables(
  stage: PeplerStage,
  variant: PeplerConfig['variant'],
  parts: { prompts: ReadonlyMap<string, tf.Variable>; head: ReadonlyMap<string, tf.Variable>; lm: ReadonlyMap<string, tf.Variable>; lora: ReadonlyMap<string, tf.Variable> },
): Map<string, tf.Variable> {
  if (stage === 'prompt') return new Map(parts.prompts);
  if (stage === 'lora') return new Map([...parts.prompts, ...parts.lora]);
  if (stage === 'joint') return new Map([...parts.prompts, ...parts.head, ...parts.lm]);
  return variant === 'discrete' ? new Map(parts.lm) : new Map([...parts.prompts, ...parts.lm]);
}

/** {@link ReplicaFactory} of a PEPLER stage. */
export async function peplerReplica(args: PeplerReplicaArgs): Promise<Replica<PeplerBatch>> {
  const c = args.config;
  const lm = await TransformerLM.load(args.lmDir);
  const d = lm.config.dModel;
  // initial values do not matter: the trainer publishes its trainable weights before the first update
  const rng = new Rng(0);
  const prompts =
    c.variant === 'discrete'
      ? undefined
      : EntityPromptTable.create([{ name: 'user', count: args.users }, { name: 'item', count: args.items }], d, { kind: 'uniform', range: c.initRange }, rng);
  let head: RatingHead | undefined;
  if (c.variant === 'mf') head = new MfHead();
  if (c.variant === 'mlp') head = new MlpHead(d, c.mlpHidden, c.mlpLayers, rng, c.initRange);
  const lora = args.stage === 'lora' ? attachLora(lm, { r: c.loraR, alpha: c.loraAlpha, seed: args.loraSeed ?? 0 }) : undefined;
  const variables = stageVariables(args.stage, c.variant, {
    prompts: prompts?.variables() ?? new Map(),
    head: head?.variables() ?? new Map(),
    lm: lm.parameters(),
    lora: lora?.variables() ?? new Map(),
  });
  const parts = { lm, prompts, head, config: c };
  return { variables, lossFn: (b, training, ctx) => peplerBatchLoss(parts, b, training, ctx.seed) };
}

/** Data-parallel settings of one PEPLER stage over `workers` worker threads. */
export function peplerDataParallel(args: PeplerReplicaArgs, workers: number, verifyEvery?: number): DataParallel<PeplerBatch> {
  return {
    replica: { module: import.meta.url, exportName: 'peplerReplica', args },
    workers,
    split: splitPeplerBatch,
    ...(verifyEvery === undefined ? {} : { verifyEvery }),
  };
}

/** Worker threads of data-parallel training (`parallel.workers`; 'auto' decides by model size and backend). */
export function peplerWorkers(lm: Pick<PeplerLM, 'parameters'>, c: PeplerConfig, parallel: PeplerTrainOptions['parallel']): number {
  return resolveWorkers(parallel?.workers, 'pepler', () => ({
    parameters: [...lm.parameters().values()].reduce((n, v) => n + v.size, 0),
    batchRows: c.batchSize,
    tokensPerStep: c.batchSize * (c.words + 2),
    native: nativeStatus().active,
  }));
}
