/**
 * Scoring with a language model, as recommendation methods use it: the log-likelihood of continuations
 * (P5's candidate ranking by likelihood, PromptRec's causal-LM verbalizer) and the logits of chosen
 * vocabulary entries at chosen positions (PromptRec's label words at the mask). Neither materialises the
 * [B, S, V] logits: log-likelihoods need [K, V] only at the K scored positions, chosen logits [K, n].
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@xrec/core';
import { DECODER } from './decoder.js';
import type { TransformerLM } from './model.js';

export interface ScoreOptions {
  /** Rows per forward pass (default 32). */
  readonly batchSize?: number;
}

/** Right-padded [B, S] ids and their attention mask for rows of different lengths. */
function padRows(rows: readonly (readonly number[])[]): { ids: tf.Tensor2D; mask: tf.Tensor2D; S: number } {
  const S = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * S);
  const mask = new Int32Array(rows.length * S);
  rows.forEach((r, b) => {
    ids.set(r, b * S);
    mask.fill(1, b * S, b * S + r.length);
  });
  return { ids: tf.tensor2d(ids, [rows.length, S], 'int32'), mask: tf.tensor2d(mask, [rows.length, S], 'int32'), S };
}

/**
 * Σ log p(continuation | prompt) per row (natural log), and the number of scored tokens. Each prompt needs at
 * least one token (start with BOS); rows run in batches, right-padded.
 */
export function scoreSequences(model: TransformerLM, prompts: readonly (readonly number[])[], continuations: readonly (readonly number[])[], opts: ScoreOptions = {}): { logLikelihood: number[]; tokens: number[] } {
  if (prompts.length !== continuations.length) throw new ShapeError(`scoreSequences: ${prompts.length} prompts but ${continuations.length} continuations`);
  const bs = opts.batchSize ?? 32;
  const logLikelihood: number[] = [];
  const tokens = continuations.map((c) => c.length);
  for (let s = 0; s < prompts.length; s += bs) {
    const rows = prompts.slice(s, s + bs).map((p, i) => {
      if (p.length === 0) throw new ShapeError(`scoreSequences: prompt ${s + i} is empty (start it with a BOS token)`);
      return [...p, ...continuations[s + i]!];
    });
    const out = tf.tidy(() => {
      const { ids, mask, S } = padRows(rows);
      const hidden = tf.reshape(model.hiddenStates({ ids, attentionMask: mask }), [rows.length * S, model.config.dModel]) as tf.Tensor2D;
      // position t predicts token t + 1: score the continuation tokens
      const at: number[] = [];
      const target: number[] = [];
      const owner: number[] = [];
      rows.forEach((r, b) => {
        const p = prompts[s + b]!.length;
        for (let t = p - 1; t < r.length - 1; t++) {
          at.push(b * S + t);
          target.push(r[t + 1]!);
          owner.push(b);
        }
      });
      if (at.length === 0) return { lp: new Float32Array(0), owner };
      const h = tf.gather(hidden, tf.tensor1d(at, 'int32')) as tf.Tensor2D;
      const logits = model[DECODER]().logits2d(h); // [K, V]
      const lp = tf.sub(tf.gather(tf.reshape(logits, [-1]), tf.tensor1d(target.map((y, k) => k * model.config.vocabSize + y), 'int32')), tf.logSumExp(logits, 1));
      return { lp: lp.dataSync() as Float32Array, owner };
    });
    const sums = new Array<number>(rows.length).fill(0);
    out.owner.forEach((b, k) => (sums[b]! += out.lp[k]!));
    logLikelihood.push(...sums);
  }
  return { logLikelihood, tokens };
}

/**
 * Logits of `vocabIds` at one position per row: `positions[b]` indexes row b of `ids` (e.g. the [MASK] or the
 * last prompt token). Returns [B, vocabIds.length] as a tensor (the caller disposes it).
 */
export function tokenLogits(model: TransformerLM, rows: readonly (readonly number[])[], positions: readonly number[], vocabIds: readonly number[]): tf.Tensor2D {
  if (rows.length !== positions.length) throw new ShapeError(`tokenLogits: ${rows.length} rows but ${positions.length} positions`);
  positions.forEach((p, b) => {
    if (!Number.isInteger(p) || p < 0 || p >= rows[b]!.length) throw new ShapeError(`tokenLogits: position ${p} is outside row ${b} (length ${rows[b]!.length})`);
  });
  return tf.tidy(() => {
    const { ids, mask, S } = padRows(rows);
    const hidden = tf.reshape(model.hiddenStates({ ids, attentionMask: mask }), [rows.length * S, model.config.dModel]) as tf.Tensor2D;
    const h = tf.gather(hidden, tf.tensor1d(positions.map((p, b) => b * S + p), 'int32')) as tf.Tensor2D;
    return model.logitsFor(h, vocabIds);
  });
}

/**
 * Sentence embeddings: the mean of each row's final hidden states over its tokens, L2-normalised, as
 * [rows.length × dModel] row-major (padding never enters the mean; rows run in batches, right-padded).
 */
export function meanPooledStates(model: TransformerLM, rows: readonly (readonly number[])[], opts: ScoreOptions = {}): Float32Array {
  const d = model.config.dModel;
  const bs = opts.batchSize ?? 32;
  const out = new Float32Array(rows.length * d);
  for (let s = 0; s < rows.length; s += bs) {
    const chunk = rows.slice(s, s + bs);
    chunk.forEach((r, i) => {
      if (r.length === 0) throw new ShapeError(`meanPooledStates: row ${s + i} is empty`);
    });
    const pooled = tf.tidy(() => {
      const { ids, mask } = padRows(chunk);
      const m = tf.cast(mask, 'float32');
      const h = model.hiddenStates({ ids, attentionMask: mask });
      const mean = tf.div(tf.sum(tf.mul(h, tf.expandDims(m, 2)), 1), tf.expandDims(tf.sum(m, 1), 1));
      return tf.div(mean, tf.maximum(tf.norm(mean, 'euclidean', 1, true), 1e-12));
    });
    out.set(pooled.dataSync(), s * d);
    pooled.dispose();
  }
  return out;
}
