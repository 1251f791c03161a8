/**
 * Causal-LM batches of fixed-length windows and their loss, shared by every trainer of a language model
 * (`xrec train lm`, `xrec pretrain`, LoRA, `bench speed`): a batch holds `size` windows of `seq + 1` ids
 * (inputs are ids[:, :seq], labels ids[:, 1:]).
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '@xrec/core';
import type { TransformerLM } from './model.js';
import type { TrainBatch } from './train-types.js';

export interface LmBatch extends TrainBatch {
  /** `size` windows of `seq + 1` ids, row-major. */
  readonly ids: Int32Array;
  readonly seq: number;
}

/** Group windows (each `seq + 1` ids) into batches of `batch` in the given order (the last may be smaller). */
export function batchWindows(windows: readonly Int32Array[], order: readonly number[], batch: number, seq: number): LmBatch[] {
  const out: LmBatch[] = [];
  for (let i = 0; i < order.length; i += batch) {
    const rows = order.slice(i, i + batch);
    const ids = new Int32Array(rows.length * (seq + 1));
    rows.forEach((r, k) => {
      const w = windows[r]!;
      if (w.length !== seq + 1) throw new DataError(`batchWindows: window ${r} has ${w.length} ids, expected ${seq + 1}`);
      ids.set(w, k * (seq + 1));
    });
    out.push({ size: rows.length, tokens: rows.length * seq, ids, seq });
  }
  return out;
}

/** Split a batch by rows into at most `parts` non-empty shards of near-equal size, in order. */
export function splitLmBatch(b: LmBatch, parts: number): LmBatch[] {
  const n = Math.max(1, Math.min(parts, b.size));
  const out: LmBatch[] = [];
  const w = b.seq + 1;
  let start = 0;
  for (let p = 0; p < n; p++) {
    const rows = Math.floor(b.size / n) + (p < b.size % n ? 1 : 0);
    out.push({ size: rows, tokens: rows * b.seq, ids: b.ids.slice(start * w, (start + rows) * w), seq: b.seq });
    start += rows;
  }
  return out;
}

/**
 * Shifted next-token loss of one window batch. `seed` reseeds the model's dropout (the trainer's per-step
 * seed), so a resumed run draws the same dropout masks.
 */
export function lmLoss(model: TransformerLM, b: LmBatch, training: boolean, seed?: number): tf.Scalar {
  const all = tf.tensor2d(b.ids, [b.size, b.seq + 1], 'int32'); // [B, T+1]
  const ids = tf.slice(all, [0, 0], [b.size, b.seq]) as tf.Tensor2D; // [B, T]
  const labels = tf.slice(all, [0, 1], [b.size, b.seq]) as tf.Tensor2D; // [B, T]
  return model.loss({ ids, labels, training, ...(seed !== undefined ? { dropoutSeed: seed } : {}) });
}
