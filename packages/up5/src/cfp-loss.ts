/**
 * The two objectives of UP5's adversarial training, shared by the trainer and its data-parallel replicas:
 *
 *   player:         L_rec + λ·A(user representations under the player's prefix)
 *   discriminator:  L_disc(user representations, the player held fixed)
 *
 * A is the adversary objective ({@link Discriminator.adversaryLoss}); per-user terms carry the batch's
 * `userWeight` (1 for a whole batch, see {@link CfpBatch}).
 */
import * as tf from '@tensorflow/tfjs';
import { p5Loss, type P5Recommender } from '@xrec/p5';
import type { T5Prefix } from '@xrec/transformer';
import type { CfpBatch } from './cfp-batch.js';
import type { AdversaryObjective, Discriminator } from './discriminator.js';
import { userRepresentations } from './user-representation.js';

/** What plays against the discriminator: the prefix it makes (none when the player is the P5 itself). */
export interface PlayerPrefix {
  readonly prefix?: (o: { training: boolean; seed: number }) => T5Prefix;
  /** Whether the P5's own dropout is on in the recommendation loss (when its weights are trained). */
  readonly modelTraining: boolean;
}

export interface AdversarialLosses {
  player(b: CfpBatch, training: boolean, seed: number): tf.Scalar;
  discriminator(b: CfpBatch): tf.Scalar;
}

export function adversarialLosses(rec: P5Recommender, disc: Discriminator, player: PlayerPrefix, lambda: number, adversary: AdversaryObjective): AdversarialLosses {
  return {
    player: (b, training, seed) => {
      const p = player.prefix?.({ training, seed });
      const rec_ = p5Loss(rec, { rows: b.rows, size: b.size, tokens: b.tokens }, training && player.modelTraining, seed, p);
      const adv = disc.adversaryLoss(userRepresentations(rec, b.users, p ? { prefix: p } : {}), b.labels, adversary);
      return tf.add(rec_, tf.mul(lambda * (b.userWeight ?? 1), adv)) as tf.Scalar;
    },
    // only the discriminator's gradients are taken in its rule, so the player is held fixed
    discriminator: (b) => {
      const p = player.prefix?.({ training: false, seed: 0 });
      const l = disc.loss(userRepresentations(rec, b.users, p ? { prefix: p } : {}), b.labels);
      return (b.userWeight === undefined ? l : tf.mul(l, b.userWeight)) as tf.Scalar;
    },
  };
}
