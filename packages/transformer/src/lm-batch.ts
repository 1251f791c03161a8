/**
 * Causal-LM batches of fixed-length windows and their loss, shared by every trainer of a language model
 * (`xrec train lm`, `xrec pretrain`, LoRA, `bench speed`): a batch holds `size` windows of `seq + 1` ids
 * (inputs are ids[:, :seq], labels ids[:, 1:]).
 */
import * as tf from '@tensorflow/tfjs';
import { DataError, type Rng } from '@xrec/core';
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

/** One causal-LM row of variable length: `context` (conditioning, not scored) then `target` (scored). */
export interface SeqRow {
  readonly context?: readonly number[];
  readonly target: readonly number[];
}

/** A padded batch of {@link SeqRow}s: ids [size, T]; labels [size, prefixLength + T] aligned to the outputs. */
export interface SeqBatch extends TrainBatch {
  readonly tokens: number;
  readonly ids: Int32Array;
  readonly T: number;
  readonly labels: Int32Array;
  /** Soft-prefix vectors the model gets before the ids (their outputs are never scored). */
  readonly prefixLength: number;
}

/**
 * Pack rows into one batch: contexts left-padded with `pad` to one length P (attended, as the reference's
 * padded prompts), then each target, right-padded; output position `prefix + P + k − 1` predicts target[k]
 * (the first target token is scored only when something precedes it). Unscored labels are -100.
 */
export function packSequences(rows: readonly SeqRow[], opts: { pad: number; prefixLength?: number }): SeqBatch {
  if (rows.length === 0) throw new DataError('packSequences: no rows');
  const C = opts.prefixLength ?? 0;
  const P = Math.max(...rows.map((r) => r.context?.length ?? 0));
  const T = P + Math.max(...rows.map((r) => r.target.length));
  const L = C + T;
  const ids = new Int32Array(rows.length * T).fill(opts.pad);
  const labels = new Int32Array(rows.length * L).fill(-100);
  let tokens = 0;
  rows.forEach((r, b) => {
    const ctx = r.context ?? [];
    ctx.forEach((id, k) => (ids[b * T + P - ctx.length + k] = id));
    r.target.forEach((id, k) => {
      ids[b * T + P + k] = id;
      const pos = C + P + k - 1;
      if (pos < 0) return;
      labels[b * L + pos] = id;
      tokens++;
    });
  });
  return { size: rows.length, tokens, ids, T, labels, prefixLength: C };
}

/**
 * Row order for batches of similar length (length bucketing): shuffle, sort by length inside windows of
 * `window` batches, then shuffle the batches — padding costs little and every epoch differs.
 */
export function bucketedBatches<R>(rows: readonly R[], length: (r: R) => number, batchSize: number, rng: Rng, window = 50): R[][] {
  const order = rng.permutation(rows.length);
  const span = batchSize * window;
  const sorted: number[] = [];
  for (let s = 0; s < order.length; s += span) sorted.push(...order.slice(s, s + span).sort((a, b) => length(rows[a]!) - length(rows[b]!)));
  const out: R[][] = [];
  for (let s = 0; s < sorted.length; s += batchSize) out.push(sorted.slice(s, s + batchSize).map((k) => rows[k]!));
  return rng.shuffle(out);
}

/** Mean cross-entropy of a {@link SeqBatch} (soft prefixes, if any, are the caller's: see PEPLER). */
export function seqLoss(model: TransformerLM, b: SeqBatch, training: boolean, seed?: number): tf.Scalar {
  return model.loss({
    ids: tf.tensor2d(b.ids, [b.size, b.T], 'int32'),
    labels: tf.tensor2d(b.labels, [b.size, b.T], 'int32'),
    training,
    ...(seed !== undefined ? { dropoutSeed: seed } : {}),
  });
}
