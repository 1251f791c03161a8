/**
 * A kernel two-sample penalty on the user representations (maximum mean discrepancy; Gretton et al. 2012, as a
 * fairness regulariser in Louizos et al.'s Variational Fair Autoencoder): for every class c of the attribute
 * present in the batch, MMD²(representations of class c, representations of the other classes) under a sum of
 * RBF kernels. It is zero exactly when the class-conditional distributions agree (for a characteristic
 * kernel), so any attacker — not only a co-trained discriminator — is left at chance. It needs no adversary:
 * no min–max game, nothing for the prompt to chase.
 *
 * With w_c = 1[class c]/n_c − 1[other]/n_rest over the batch, MMD²_c = w_cᵀ K w_c (the biased estimator; its
 * gradient is what the prompt follows). The bandwidths are {@link MMD_BANDWIDTHS} times the batch's mean squared
 * distance (held constant in the gradient), so the penalty does not depend on the representations' scale.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@xrec/core';

/** Multipliers of the batch's mean squared pairwise distance: the RBF kernels' 2σ². */
export const MMD_BANDWIDTHS: readonly number[] = [0.25, 0.5, 1, 2, 4];

/** Σ over the classes present (with at least one member and one non-member) of MMD²(class, rest); x is [B, d]. */
export function classMmd(x: tf.Tensor2D, labels: readonly number[], classes: number): tf.Scalar {
  const B = x.shape[0];
  if (labels.length !== B) throw new ConfigError(`classMmd: ${labels.length} labels for ${B} representations`);
  const rows: number[][] = [];
  for (let c = 0; c < classes; c++) {
    const n = labels.filter((l) => l === c).length;
    if (n === 0 || n === B) continue;
    rows.push(labels.map((l) => (l === c ? 1 / n : -1 / (B - n))));
    if (classes === 2) break; // the two binary terms are the same
  }
  if (rows.length === 0) return tf.scalar(0);
  return tf.tidy(() => {
    const sq = tf.sum(tf.square(x), 1, true); // [B, 1]
    const d2 = tf.relu(tf.sub(tf.add(sq, tf.transpose(sq)), tf.mul(2, tf.matMul(x, x, false, true)))) as tf.Tensor2D;
    const scale = tf.mean(d2).dataSync()[0]! + 1e-8; // a number: constant in the gradient
    let k = tf.zerosLike(d2);
    for (const m of MMD_BANDWIDTHS) k = tf.add(k, tf.exp(tf.mul(d2, -1 / (scale * m))));
    const w = tf.tensor2d(rows); // [C', B]
    return tf.sum(tf.mul(w, tf.matMul(w, k))) as tf.Scalar;
  });
}
