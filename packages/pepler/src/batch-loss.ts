/**
 * The training objective of one PEPLER batch, shared by the trainer's model and its data-parallel replicas:
 * textReg · L_text + ratingReg · MSE when training, L_text + MSE for validation (reg.py's
 * `val_loss = val_t_loss + val_r_loss`).
 */
import * as tf from '@tensorflow/tfjs';
import { StateError } from '@xrec/core';
import type { EntityPromptTable } from '@xrec/prompts';
import { IGNORE_INDEX, type PeplerBatch } from './batches.js';
import type { PeplerConfig } from './config.js';
import type { RatingHead } from './rating-head.js';
import type { PeplerLM } from './types.js';

/** What the loss reads: the LM, the prompt vectors and rating head of the variants that have them. */
export interface PeplerLossParts {
  readonly lm: Pick<PeplerLM, 'loss'>;
  readonly prompts?: EntityPromptTable | undefined;
  readonly head?: RatingHead | undefined;
  readonly config: Pick<PeplerConfig, 'textReg' | 'ratingReg'>;
}

/** [B] user and item indices -> prefix [B, 2, d] and its two [B, d] halves. */
export function peplerPrefix(prompts: EntityPromptTable, users: Int32Array, items: Int32Array): { prefix: tf.Tensor3D; u: tf.Tensor2D; i: tf.Tensor2D } {
  const { prefix, parts } = prompts.prefix([users, items]);
  return { prefix, u: parts[0]!, i: parts[1]! };
}

/** Loss of one batch (a shard's rating term is scaled by its `ratingWeight`, see splitPeplerBatch). */
export function peplerBatchLoss(p: PeplerLossParts, b: PeplerBatch, training: boolean, dropoutSeed?: number): tf.Scalar {
  return tf.tidy(() => {
    const ids = tf.tensor2d(b.ids, [b.size, b.idsLength], 'int32'); // [B, T]
    const labels = tf.tensor2d(b.labels, [b.size, b.labelsLength], 'int32'); // [B, C + T]
    const seeded = dropoutSeed !== undefined ? { dropoutSeed } : {};
    if (b.prefixLength === 0) return p.lm.loss({ ids, labels, ignoreIndex: IGNORE_INDEX, training, ...seeded });
    if (!p.prompts) throw new StateError('pepler: a batch with a prefix needs prompt vectors');
    const { prefix, u, i } = peplerPrefix(p.prompts, b.users, b.items);
    const text = p.lm.loss({ ids, prefix, labels, ignoreIndex: IGNORE_INDEX, training, ...seeded });
    if (!p.head) return text;
    const mse = tf.losses.meanSquaredError(tf.tensor1d(b.ratings), p.head.predict(u, i)) as tf.Scalar;
    const rating = b.ratingWeight === undefined ? mse : tf.mul(mse, b.ratingWeight);
    if (!training) return tf.add(text, rating) as tf.Scalar;
    return tf.add(tf.mul(text, p.config.textReg), tf.mul(rating, p.config.ratingReg)) as tf.Scalar;
  });
}
