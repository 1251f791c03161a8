/**
 * P5 training batches: encoded examples (source ids, whole-word ids, target ids), their padded tensors and the
 * teacher-forced loss — shared by the trainer's model, its data-parallel replicas and UP5's prompt training.
 */
import * as tf from '@tensorflow/tfjs';
import type { T5Input, T5Prefix } from '@xrec/transformer';
import type { P5Recommender } from './recommender.js';

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
export function p5BatchInput(rec: Pick<P5Recommender, 'model' | 'options'>, b: P5Batch): T5Input & { labels: tf.Tensor2D } {
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
export function p5Loss(rec: Pick<P5Recommender, 'model' | 'options'>, b: P5Batch, training: boolean, seed: number, prefix?: T5Prefix): tf.Scalar {
  return rec.model.loss({ ...p5BatchInput(rec, b), training, dropoutSeed: seed, ...(prefix ? { prefix } : {}) });
}
