/**
 * Training a P5 recommender with the shared trainer (AdamW, warm-up + decay, clipping, early stopping on the
 * validation loss, checkpoints): teacher-forced cross-entropy of the target item's pieces given the prompt.
 * Batches are index lists, materialised as padded int32 tensors inside the loss.
 */
import { ConfigError, silentProgress, type Progress, type Rng } from '@xrec/core';
import { nativeStatus, resolveWorkers, train, type StepReport, type T5Row, type TrainerConfig, type TrainResult } from '@xrec/transformer';
import { p5Batches, p5Loss, type EncodedExample, type P5Batch } from './batch.js';
import { p5DataParallel } from './replica.js';
import { withFreshCandidates, type CandidateSampler, type RecExample } from './examples.js';
import type { P5Recommender } from './recommender.js';
import type { YesNoExample } from './yes-no.js';

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
  /**
   * Direct prompts: every epoch, each drawn training example gets new candidates — its target and `negatives`
   * items from `sampler` — as P5's loader draws them at every access, instead of the fixed list it came with.
   * Fewer negatives than the test prompts carry make training prompts shorter (MovieLens: 20 instead of 100).
   */
  readonly redrawCandidates?: { readonly negatives: number; readonly sampler: CandidateSampler };
  /**
   * Data-parallel worker threads besides the trainer's own (default 0); 'auto' decides by model size and
   * backend (the transformer's `autoWorkers`). `verifyEvery`: check the replicas' weights every k updates.
   */
  readonly parallel?: { readonly workers: number | 'auto'; readonly verifyEvery?: number };
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

/** Train every parameter of `rec.model` on the examples; returns the trainer's result. */
export async function trainP5(rec: P5Recommender, o: TrainP5Options): Promise<TrainResult> {
  const batchSize = o.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`trainP5: batchSize must be a positive integer, got ${batchSize}`);
  if (o.train.length === 0 && (o.yesNo?.length ?? 0) === 0) throw new ConfigError('trainP5: no training examples');
  const redraw = o.redrawCandidates;
  if (redraw && (!Number.isInteger(redraw.negatives) || redraw.negatives < 1)) throw new ConfigError(`trainP5: redrawCandidates.negatives must be a positive integer, got ${redraw.negatives}`);
  if (redraw && o.train.some((e) => e.candidates === undefined)) throw new ConfigError('trainP5: redrawCandidates is for direct examples (with candidates); a training example has none');
  // the candidate prompts are encoded once, or (redrawn) per epoch for the examples drawn; yes/no rows once
  const fixedRows = redraw ? [] : encodeExamples(rec, o.train);
  const yesNoRows = o.yesNo ? encodeYesNoExamples(rec, o.yesNo) : [];
  const pool = o.train.length + yesNoRows.length;
  const perEpoch = Math.min(o.examplesPerEpoch ?? pool, pool);
  const rowOf = (i: number, rng: Rng): EncodedExample =>
    i >= o.train.length ? yesNoRows[i - o.train.length]! : redraw ? encodeExamples(rec, [withFreshCandidates(o.train[i]!, redraw.negatives, redraw.sampler, rng)])[0]! : fixedRows[i]!;
  const valRows = o.validation && o.validation.length > 0 ? p5Batches(encodeExamples(rec, o.validation), batchSize) : undefined;
  const scale = o.embeddingLrScale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new ConfigError(`trainP5: embeddingLrScale must be a positive number, got ${scale}`);
  const variables = rec.model.parameters();
  const tables = P5_EMBEDDING_TABLES.filter((n) => variables.has(n));
  const workers = p5Workers(rec, o, batchSize);
  return train<P5Batch>({
    variables,
    lossFn: (b, training, ctx) => p5Loss(rec, b, training, ctx.seed),
    trainBatches: (_epoch: number, rng: Rng) => {
      const order = rng.shuffle(Array.from({ length: pool }, (_, i) => i)).slice(0, perEpoch);
      const rows = order.map((i) => rowOf(i, rng));
      // length-sorted chunks inside the epoch's draw cut padding (a stable sort); the chunk order is shuffled again
      rows.sort((a, b) => a.ids.length - b.ids.length);
      return rng.shuffle(p5Batches(rows, batchSize));
    },
    ...(valRows ? { valBatches: () => valRows } : {}),
    config: o.config ?? {},
    ...(scale !== 1 ? { groups: [{ name: 'embeddings', variables: tables, lrScale: scale }] } : {}),
    ...(workers > 0 ? { parallel: p5DataParallel({ config: rec.model.config, wholeWord: rec.options.wholeWord ?? false }, workers, o.parallel?.verifyEvery) } : {}),
    progress: o.progress ?? silentProgress,
    label: 'p5',
    ...(o.onStep ? { onStep: o.onStep } : {}),
  });
}

function p5Workers(rec: P5Recommender, o: TrainP5Options, batchSize: number): number {
  // a target is an item id of a few pieces (or one token): most of an update's work is the encoder's source
  const sourceTokens = 64;
  return resolveWorkers(o.parallel?.workers, 'trainP5', () => ({
    parameters: [...rec.model.parameters().values()].reduce((n, v) => n + v.size, 0),
    batchRows: batchSize,
    tokensPerStep: batchSize * sourceTokens,
    native: nativeStatus().active,
  }));
}
