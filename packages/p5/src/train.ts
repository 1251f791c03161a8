/**
 * Training a P5 recommender with the shared trainer (AdamW, warm-up + decay, clipping, early stopping on the
 * validation loss, checkpoints): teacher-forced cross-entropy of the target item's pieces given the prompt.
 * Batches are index lists, materialised as padded int32 tensors inside the loss.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, silentProgress, type Progress, type Rng } from '@xrec/core';
import { train, type StepReport, type T5Input, type T5Row, type T5Prefix, type TrainerConfig, type TrainResult } from '@xrec/transformer';
import type { RecExample } from './examples.js';
import type { P5Recommender } from './recommender.js';
import type { YesNoExample } from './yes-no.js';

/** An example as ids: the source (with whole-word ids when the model uses them) and the target's ids. */
export interface EncodedExample {
  readonly ids: readonly number[];
  readonly wholeWordIds?: readonly number[];
  readonly target: readonly number[];
}

/** A training batch of encoded examples (`tokens`: target tokens, the loss's weight). */
export interface P5Batch {
  readonly rows: readonly EncodedExample[];
  readonly size: number;
  readonly tokens: number;
}

export interface TrainP5Options {
  readonly train: readonly RecExample[];
  readonly validation?: readonly RecExample[];
  /** P5's yes/no direct prompts trained beside `train` (drawn from the same pool each epoch). */
  readonly yesNo?: readonly YesNoExample[];
  readonly batchSize?: number;
  /** Training examples drawn (without replacement) per epoch; default all. */
  readonly examplesPerEpoch?: number;
  readonly config?: Partial<TrainerConfig>;
  readonly progress?: Progress;
  readonly onStep?: (s: StepReport) => void;
  /**
   * Learning-rate multiplier of the embedding tables (`shared.weight` and the whole-word embeddings); default 1.
   * T5 starts its embeddings at std 1 behind RMS norms, a scale made for Adafactor's steps relative to each
   * parameter. Under AdamW a row moves about `lr` per coordinate each time its token occurs, so in a T5 trained
   * from scratch the rows of rarely seen tokens (item and user tokens) hardly move: on MovieLens-100K's yes/no
   * prompts the model stays at chance for two epochs at scale 1 and learns item popularity at 10.
   */
  readonly embeddingLrScale?: number;
}

/** The T5 parameters that {@link TrainP5Options.embeddingLrScale} scales. */
export const P5_EMBEDDING_TABLES: readonly string[] = ['shared.weight', 'encoder.whole_word_embeddings.weight'];

const encodedRow = (s: T5Row, target: number[]): EncodedExample =>
  Array.isArray(s) ? { ids: s as number[], target } : { ...(s as { ids: number[]; wholeWordIds: number[] }), target };

/** Encode examples for training or scoring. */
export function encodeExamples(rec: P5Recommender, exs: readonly RecExample[]): EncodedExample[] {
  return exs.map((ex) => encodedRow(rec.source(ex), rec.target(ex.target)));
}

/** Encode yes/no examples: the 5-1 prompt about the item, answered ` yes` or ` no`. */
export function encodeYesNoExamples(rec: P5Recommender, exs: readonly YesNoExample[]): EncodedExample[] {
  return exs.map((ex) => encodedRow(rec.yesNoSource(ex.user, ex.item), rec.answerTarget(ex.answer)));
}

/** Consecutive batches of `size` rows. */
export function p5Batches(rows: readonly EncodedExample[], size: number): P5Batch[] {
  const out: P5Batch[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const r = rows.slice(i, i + size);
    out.push({ rows: r, size: r.length, tokens: r.reduce((a, x) => a + x.target.length, 0) });
  }
  return out;
}

/**
 * The model input of a batch as tensors (create them inside a tidy or the trainer's loss): sources right-padded
 * with the pad id and masked, labels −100 past each target, whole-word ids when the model uses them.
 */
export function p5BatchInput(rec: P5Recommender, b: P5Batch): T5Input & { labels: tf.Tensor2D } {
  const B = b.rows.length;
  const S = Math.max(...b.rows.map((r) => r.ids.length));
  const T = Math.max(...b.rows.map((r) => r.target.length));
  const ids = new Int32Array(B * S).fill(rec.model.config.padId);
  const mask = new Int32Array(B * S);
  const labels = new Int32Array(B * T).fill(-100);
  const ww = rec.options.wholeWord ? new Int32Array(B * S) : undefined;
  b.rows.forEach((r, i) => {
    ids.set(r.ids, i * S);
    mask.fill(1, i * S, i * S + r.ids.length);
    labels.set(r.target, i * T);
    if (ww && r.wholeWordIds) ww.set(r.wholeWordIds, i * S);
  });
  return {
    inputIds: tf.tensor2d(ids, [B, S], 'int32'),
    attentionMask: tf.tensor2d(mask, [B, S], 'int32'),
    labels: tf.tensor2d(labels, [B, T], 'int32'),
    ...(ww ? { wholeWordIds: tf.tensor2d(ww, [B, S], 'int32') } : {}),
  };
}

/** The batch's mean target cross-entropy (optionally with per-layer prefixes). */
export function p5Loss(rec: P5Recommender, b: P5Batch, training: boolean, seed: number, prefix?: T5Prefix): tf.Scalar {
  return rec.model.loss({ ...p5BatchInput(rec, b), training, dropoutSeed: seed, ...(prefix ? { prefix } : {}) });
}

/** Train every parameter of `rec.model` on the examples; returns the trainer's result. */
export async function trainP5(rec: P5Recommender, o: TrainP5Options): Promise<TrainResult> {
  const batchSize = o.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`trainP5: batchSize must be a positive integer, got ${batchSize}`);
  if (o.train.length === 0 && (o.yesNo?.length ?? 0) === 0) throw new ConfigError('trainP5: no training examples');
  const trainRows = encodeExamples(rec, o.train).concat(o.yesNo ? encodeYesNoExamples(rec, o.yesNo) : []);
  const perEpoch = Math.min(o.examplesPerEpoch ?? trainRows.length, trainRows.length);
  const valRows = o.validation && o.validation.length > 0 ? p5Batches(encodeExamples(rec, o.validation), batchSize) : undefined;
  const scale = o.embeddingLrScale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new ConfigError(`trainP5: embeddingLrScale must be a positive number, got ${scale}`);
  const variables = rec.model.parameters();
  const tables = P5_EMBEDDING_TABLES.filter((n) => variables.has(n));
  return train<P5Batch>({
    variables,
    lossFn: (b, training, ctx) => p5Loss(rec, b, training, ctx.seed),
    trainBatches: (_epoch: number, rng: Rng) => {
      const order = rng.shuffle(Array.from({ length: trainRows.length }, (_, i) => i)).slice(0, perEpoch);
      // length-sorted chunks inside the epoch's draw cut padding; the chunk order is shuffled again
      const sorted = order.sort((a, b) => trainRows[a]!.ids.length - trainRows[b]!.ids.length);
      return rng.shuffle(p5Batches(sorted.map((i) => trainRows[i]!), batchSize));
    },
    ...(valRows ? { valBatches: () => valRows } : {}),
    config: o.config ?? {},
    ...(scale !== 1 ? { groups: [{ name: 'embeddings', variables: tables, lrScale: scale }] } : {}),
    progress: o.progress ?? silentProgress,
    label: 'p5',
    ...(o.onStep ? { onStep: o.onStep } : {}),
  });
}
