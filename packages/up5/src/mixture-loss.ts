/**
 * The two objectives of the prompt mixture's training (see mixture.ts), shared by the trainer and its
 * data-parallel replicas, and the split of its batches. Per-user terms carry the batch's `userWeight` (see
 * {@link CfpBatch}).
 */
import * as tf from '@tensorflow/tfjs';
import { p5Loss, type P5Recommender } from '@xrec/p5';
import { splitUserBatch, type UserBatch } from './cfp-batch.js';
import type { AdversaryObjective, Discriminator } from './discriminator.js';
import type { FairPrefix } from './fair-prefix.js';
import type { PromptMixture } from './prompt-mixture.js';
import { userRepresentations } from './user-representation.js';

export interface MixBatch extends UserBatch {
  /** labels[a][i]: attribute a's class of row i. */
  readonly labels: readonly (readonly number[])[];
  /** Indices (into the prompts) of the attributes this batch hides. */
  readonly subset: readonly number[];
}

/** Split a batch into at most `parts` shards of consecutive rows (the P5 split), each with its `userWeight`. */
export function splitMixBatch(b: MixBatch, parts: number): MixBatch[] {
  return splitUserBatch(b, parts, (start, end) => ({ labels: b.labels.map((l) => l.slice(start, end)), subset: b.subset }));
}

export interface MixtureLosses {
  /** L_rec + λ·Σ_selected A_a + keep·λ·Σ_unselected L_disc_a (the mixture's rule; keep = 1 is UP5's). */
  mixture(b: MixBatch, seed: number): tf.Scalar;
  /** Σ_a L_disc_a on the mixed prompt's representations (the discriminators' rule). */
  discriminators(b: MixBatch): tf.Scalar;
}

export function mixtureLosses(rec: P5Recommender, mixture: PromptMixture, prompts: readonly FairPrefix[], discs: readonly Discriminator[], lambda: number, adversary: AdversaryObjective, keepWeight = 1): MixtureLosses {
  const weighted = (t: tf.Scalar, b: MixBatch) => (b.userWeight === undefined ? t : (tf.mul(t, b.userWeight) as tf.Scalar));
  return {
    mixture: (b, seed) => {
      const p = mixture.prefix(b.subset.map((i) => prompts[i]!));
      const reps = userRepresentations(rec, b.users, { prefix: p });
      // in attribute order: the selected ones' adversary terms, the others' keep terms (none at keepWeight 0)
      const terms = discs.flatMap((d, a) => (b.subset.includes(a) ? [tf.mul(lambda, d.adversaryLoss(reps, b.labels[a]!, adversary))] : keepWeight > 0 ? [tf.mul(keepWeight * lambda, d.loss(reps, b.labels[a]!))] : []));
      const adv = terms.reduce((acc: tf.Tensor, t) => tf.add(acc, t), tf.scalar(0)) as tf.Scalar;
      return tf.add(p5Loss(rec, { rows: b.rows, size: b.size, tokens: b.tokens }, false, seed, p), weighted(adv, b)) as tf.Scalar;
    },
    // only the discriminators' gradients are taken in this rule, so the mixture is held fixed
    discriminators: (b) => {
      const reps = userRepresentations(rec, b.users, { prefix: mixture.prefix(b.subset.map((i) => prompts[i]!)) });
      return weighted(discs.map((d, a) => d.loss(reps, b.labels[a]!)).reduce((x, y) => tf.add(x, y)), b);
    },
  };
}
