/**
 * The objective of PromptRec's prompt tuning, shared by the tuner and its data-parallel replicas: binary
 * cross-entropy with label smoothing on the label-word margin of encoded prompt rows.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainBatch, TransformerLM } from '@xrec/transformer';
import type { TrainablePrompt } from './prompt-init.js';
import { labelMargins } from './scorer.js';

/** Encoded rows with their scored position and click (the loss is a mean over rows: no `tokens`). */
export interface RowBatch extends TrainBatch {
  readonly rows: readonly (readonly number[])[];
  readonly at: readonly number[];
  readonly clicks: readonly (0 | 1)[];
}

/** Mean binary cross-entropy of margins z [B] against smoothed labels: softplus(−z)·y' + softplus(z)·(1 − y'). */
export function smoothedBce(z: tf.Tensor1D, labels: readonly (0 | 1)[], smoothing: number): tf.Scalar {
  return tf.tidy(() => {
    const y = tf.tensor1d(labels.map((l) => l * (1 - smoothing) + smoothing / 2));
    return tf.mean(tf.add(tf.mul(tf.softplus(tf.neg(z)), y), tf.mul(tf.softplus(z), tf.sub(1, y)))) as tf.Scalar;
  });
}

/** The tuning loss of a batch under `prompt` (the model frozen). */
export function rowBatchLoss(model: TransformerLM, b: RowBatch, labels: readonly [number, number], prompt: TrainablePrompt, smoothing: number): tf.Scalar {
  return tf.tidy(() => smoothedBce(labelMargins(model, b.rows, b.at, labels, prompt), b.clicks, smoothing));
}

/** Split a batch into at most `parts` shards of consecutive rows, as equal as possible (data-parallel tuning). */
export function splitRowBatch(b: RowBatch, parts: number): RowBatch[] {
  const n = Math.max(1, Math.min(parts, b.size));
  const out: RowBatch[] = [];
  for (let k = 0; k < n; k++) {
    const s = Math.floor((k * b.size) / n);
    const e = Math.floor(((k + 1) * b.size) / n);
    out.push({ size: e - s, rows: b.rows.slice(s, e), at: b.at.slice(s, e), clicks: b.clicks.slice(s, e) });
  }
  return out;
}
