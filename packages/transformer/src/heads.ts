/**
 * The output layer: a tied embedding (logits = h Eᵀ) or an untied one (a Linear, possibly with a LoRA
 * adapter); masked-LM heads (BERT) add a transform before it (dense → GELU → LayerNorm) and a per-token bias
 * after it. Its loss (the fused output-layer cross-entropy where neither an adapter nor an MLM head applies),
 * logits, logits of chosen rows, and a projector for repeated inference.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@xrec/core';
import type { Linear } from './linear.js';
import { matMul2d, matMulBT, outputCrossEntropy, softmaxCrossEntropy, transpose2d } from './ops.js';

export interface OutputHead {
  readonly wte: tf.Variable;
  readonly lmHead: Linear | undefined;
  /** MLM heads: hidden [N, d] → dense → activation → LayerNorm, before the output layer. */
  readonly transform?: ((hidden: tf.Tensor2D, training: boolean) => tf.Tensor2D) | undefined;
  /** MLM heads: a bias [V] added to the logits. */
  readonly bias?: tf.Variable | undefined;
}

function transformed(h: OutputHead, hidden: tf.Tensor2D, training: boolean): tf.Tensor2D {
  return h.transform ? h.transform(hidden, training) : hidden;
}

/** Mean cross-entropy of `hidden` [N, d] against `labels` (rows equal to `ignore` left out). */
export function headLoss(h: OutputHead, hidden: tf.Tensor2D, labels: ArrayLike<number>, ignore: number, training: boolean): tf.Scalar {
  const lab = Array.from(labels);
  if (h.transform || h.bias) return softmaxCrossEntropy(headLogits(h, hidden, training), lab, ignore);
  if (!h.lmHead) return outputCrossEntropy(hidden, h.wte as unknown as tf.Tensor2D, 'vd', lab, ignore);
  if (!h.lmHead.adapter || h.lmHead.adapterDisabled) return outputCrossEntropy(hidden, h.lmHead.weight as unknown as tf.Tensor2D, 'dv', lab, ignore);
  return softmaxCrossEntropy(h.lmHead.apply(hidden, training), lab, ignore);
}

/** Logits [N, V] of hidden states [N, d] (`training` reaches an adapter on the output layer and the MLM head's dropout-free transform). */
export function headLogits(h: OutputHead, hidden: tf.Tensor2D, training = false): tf.Tensor2D {
  return tf.tidy(() => {
    const x = transformed(h, hidden, training);
    const z = h.lmHead ? h.lmHead.apply(x, training) : matMulBT(x, h.wte as unknown as tf.Tensor2D);
    return h.bias ? (tf.add(z, h.bias) as tf.Tensor2D) : z;
  });
}

/** Logits of chosen vocabulary entries only: [N, ids.length], through those ids' output rows (no [N, V]). */
export function headLogitsFor(h: OutputHead, vocabSize: number, hidden: tf.Tensor2D, vocabIds: readonly number[]): tf.Tensor2D {
  const bad = vocabIds.find((id) => !Number.isInteger(id) || id < 0 || id >= vocabSize);
  if (bad !== undefined) throw new ShapeError(`logitsFor: vocabulary id ${bad} is outside [0, ${vocabSize})`);
  return tf.tidy(() => {
    const ids = tf.tensor1d(vocabIds as number[], 'int32');
    const x = transformed(h, hidden, false);
    let z: tf.Tensor2D;
    if (!h.lmHead) z = matMulBT(x, tf.gather(h.wte, ids) as tf.Tensor2D); // tied: rows of the embedding
    else if (h.lmHead.adapter && !h.lmHead.adapterDisabled) z = tf.gather(h.lmHead.apply(x, false), ids, 1) as tf.Tensor2D;
    else z = matMul2d(x, tf.gather(h.lmHead.weight, ids, 1) as tf.Tensor2D); // [d, V] compute layout
    return h.bias ? (tf.add(z, tf.gather(h.bias, ids)) as tf.Tensor2D) : z;
  });
}

/**
 * The output layer for repeated inference (generation): the tied embedding is transposed once, so every step
 * is a plain `h @ Eᵀ` on the same tensor (xnnpack packs it once). Call `dispose()` when done.
 */
export function headProjector(h: OutputHead): { logits(hidden: tf.Tensor2D): tf.Tensor2D; dispose(): void } {
  if (h.lmHead || h.transform || h.bias) return { logits: (x) => headLogits(h, x, false), dispose: () => undefined };
  const eT = tf.tidy(() => transpose2d(h.wte as unknown as tf.Tensor2D)); // [d, V]
  return { logits: (x) => tf.matMul(x, eT), dispose: () => eT.dispose() };
}
