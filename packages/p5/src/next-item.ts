/**
 * A SASRec-style next-item transformer (Kang & McAuley 2018; the survey's sequential-recommendation line with
 * BERT4Rec, Transformers4Rec, GPTRec) on xrec's decoder core: items are the vocabulary of a small causal GPT-2
 * (tied item embeddings, learned positions), trained with the shared trainer to predict every next item of
 * windows of the users' training sequences (cross-entropy over the whole catalogue); an example's valid items
 * are ranked by the logits after its history.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, DataError, Rng, silentProgress, type Progress } from '@xrec/core';
import { bucketedBatches, DEFAULT_GPT2_CONFIG, packSequences, seqLoss, train, TransformerLM, type SeqBatch } from '@xrec/transformer';
import { sortByScore, validItems } from './baselines.js';
import type { RecExample } from './examples.js';

export interface NextItemConfig {
  readonly dModel: number;
  readonly nLayers: number;
  readonly nHeads: number;
  /** Longest input (items); training windows are maxLength + 1 items. */
  readonly maxLength: number;
  readonly dropout: number;
  readonly epochs: number;
  readonly lr: number;
  readonly batchSize: number;
  readonly seed: number;
}

export const DEFAULT_NEXT_ITEM_CONFIG: NextItemConfig = { dModel: 64, nLayers: 2, nHeads: 2, maxLength: 20, dropout: 0.2, epochs: 10, lr: 1e-3, batchSize: 64, seed: 0 };

export class NextItemTransformer {
  private constructor(
    readonly model: TransformerLM,
    private readonly index: ReadonlyMap<string, number>,
    readonly config: NextItemConfig,
  ) {}

  /** Train on users' item sequences (oldest first) over `catalogue`; windows of maxLength + 1 items, stride maxLength / 2. */
  static async train(sequences: readonly (readonly string[])[], catalogue: readonly string[], config: Partial<NextItemConfig> = {}, progress: Progress = silentProgress): Promise<NextItemTransformer> {
    const c = { ...DEFAULT_NEXT_ITEM_CONFIG, ...config };
    for (const k of ['dModel', 'nLayers', 'nHeads', 'maxLength', 'epochs', 'batchSize'] as const) if (!Number.isInteger(c[k]) || c[k] < 1) throw new ConfigError(`NextItemTransformer: ${k} must be a positive integer, got ${c[k]}`);
    const index = new Map(catalogue.map((it, i) => [it, i]));
    const pad = catalogue.length;
    const windows: number[][] = [];
    for (const s of sequences) {
      const ids = s.map((it) => {
        const i = index.get(it);
        if (i === undefined) throw new DataError(`NextItemTransformer: item '${it}' is not in the catalogue`);
        return i;
      });
      if (ids.length < 2) continue;
      const stride = Math.max(1, Math.floor(c.maxLength / 2));
      for (let end = ids.length; end > 1; end -= stride) windows.push(ids.slice(Math.max(0, end - c.maxLength - 1), end));
    }
    if (windows.length === 0) throw new DataError('NextItemTransformer: no sequence has two or more items');
    const model = TransformerLM.create(
      { ...DEFAULT_GPT2_CONFIG, vocabSize: catalogue.length + 1, contextLength: c.maxLength + 1, dModel: c.dModel, nLayers: c.nLayers, nHeads: c.nHeads, nKvHeads: c.nHeads, dFF: 4 * c.dModel, dropout: c.dropout },
      new Rng(c.seed),
    );
    const rows = windows.map((w) => ({ target: w }));
    await train<SeqBatch>({
      variables: model.parameters(),
      lossFn: (b, training, ctx) => seqLoss(model, b, training, ctx.seed),
      trainBatches: (_e, rng) => bucketedBatches(rows, (r) => r.target.length, c.batchSize, rng).map((rs) => packSequences(rs, { pad })),
      config: { epochs: c.epochs, lr: c.lr, warmupSteps: 50, schedule: 'linear', seed: c.seed, weightDecay: 0 },
      progress,
      label: 'next-item transformer',
    });
    return new NextItemTransformer(model, index, c);
  }

  /** Logits over the catalogue after `history` (its last maxLength items; an empty history is a DataError). */
  scores(history: readonly string[]): Float32Array {
    const ids = history.slice(-this.config.maxLength).map((it) => {
      const i = this.index.get(it);
      if (i === undefined) throw new DataError(`NextItemTransformer: item '${it}' is not in the catalogue`);
      return i;
    });
    if (ids.length === 0) throw new DataError('NextItemTransformer.scores: an empty history');
    return tf.tidy(() => {
      const { logits } = this.model.forward({ ids: tf.tensor2d([ids], [1, ids.length], 'int32') });
      return tf.squeeze(tf.slice(logits, [0, ids.length - 1, 0], [1, 1, this.index.size])).dataSync() as Float32Array;
    });
  }

  ranker(catalogue: readonly string[]): (ex: RecExample) => string[] {
    return (ex) => {
      const s = this.scores(ex.history);
      return sortByScore(validItems(ex, catalogue), (it) => s[this.index.get(it)!]!);
    };
  }

  dispose(): void {
    this.model.dispose();
  }
}
