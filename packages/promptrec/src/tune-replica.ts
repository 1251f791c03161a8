/**
 * The data-parallel replica of PromptRec's prompt tuning (see the transformer's `DataParallel`): a worker
 * thread loads the frozen model from a snapshot the tuner wrote, rebuilds the prompt from its description
 * (a PromptTuning's shape, or a TransferablePrompt's shape and frozen domain embeddings D) and computes the
 * same loss on its rows; the prompt's trainable weights arrive from the tuner before every update.
 */
import { ConfigError, Rng } from '@xrec/core';
import { PromptTuning } from '@xrec/prompts';
import { TransformerLM, type DataParallel, type Replica } from '@xrec/transformer';
import type { TrainablePrompt } from './prompt-init.js';
import { TransferablePrompt, type TransferableSpec } from './tppt.js';
import { rowBatchLoss, splitRowBatch, type RowBatch } from './tune-loss.js';

/** What a replica needs to rebuild a prompt (its trainable values come from the tuner). */
export type PromptSpec = { readonly kind: 'tuning'; readonly tokens: number; readonly dim: number } | ({ readonly kind: 'transferable' } & TransferableSpec);

/** The description of a prompt the replicas can rebuild (PromptTuning and TransferablePrompt). */
export function promptSpecOf(prompt: TrainablePrompt): PromptSpec {
  if (prompt instanceof PromptTuning) return { kind: 'tuning', tokens: prompt.tokens, dim: prompt.dim };
  if (prompt instanceof TransferablePrompt) return { kind: 'transferable', ...prompt.spec() };
  throw new ConfigError('tunePrompt: data-parallel tuning rebuilds a PromptTuning or a TransferablePrompt; this prompt is neither (use workers 0)');
}

export interface PromptTuneReplicaArgs {
  /** The frozen model (a directory written by `save`). */
  readonly modelDir: string;
  readonly labels: readonly [number, number];
  readonly smoothing: number;
  readonly prompt: PromptSpec;
}

/** {@link ReplicaFactory} of prompt tuning. */
export async function promptTuneReplica(args: PromptTuneReplicaArgs): Promise<Replica<RowBatch>> {
  const model = await TransformerLM.load(args.modelDir);
  const s = args.prompt;
  const prompt: TrainablePrompt = s.kind === 'tuning' ? PromptTuning.create({ tokens: s.tokens, dim: s.dim, init: { kind: 'uniform', range: 0.1 } }, new Rng(0)) : TransferablePrompt.fromSpec(s);
  return { variables: prompt.variables(), lossFn: (b) => rowBatchLoss(model, b, args.labels, prompt, args.smoothing) };
}

/** Data-parallel settings of prompt tuning over `workers` worker threads. */
export function promptTuneDataParallel(args: PromptTuneReplicaArgs, workers: number, verifyEvery?: number): DataParallel<RowBatch> {
  return { replica: { module: import.meta.url, exportName: 'promptTuneReplica', args }, workers, split: splitRowBatch, ...(verifyEvery === undefined ? {} : { verifyEvery }) };
}
