/**
 * UP5's attribute discriminator (and the attacker, the same shape trained afresh): an MLP on user
 * representations — d → 2d → d → d/2 → C with LeakyReLU(0.2), scaled down from the reference's 512 → … → 256 →
 * C at d = 512 (without its batch norms). Binary attributes: one logit, sigmoid + BCE; multi-class: C logits,
 * softmax + cross-entropy applied once (the reference applies cross-entropy to a softmax output).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, Rng } from '@xrec/core';
import { classMmd } from './mmd.js';

/**
 * How a prompt plays against a discriminator: UP5's −L_disc, or confusion (make the discriminator's output match
 * its {@link Discriminator.confusionTarget}: the class prior, or uniform) — or, without a discriminator, `mmd`: a
 * kernel two-sample penalty between the attribute's classes ({@link classMmd}; not UP5's).
 */
export type AdversaryObjective = 'negative-ce' | 'confusion' | 'mmd';

export const ADVERSARY_OBJECTIVES: readonly AdversaryObjective[] = ['negative-ce', 'confusion', 'mmd'];

/** What the `confusion` objective matches: the class prior of the training examples (the default), or uniform. */
export type ConfusionTarget = 'prior' | 'uniform';

export const CONFUSION_TARGETS: readonly ConfusionTarget[] = ['prior', 'uniform'];

/**
 * The class distribution of integer labels in [0, classes) — what a discriminator that cannot tell the classes
 * apart outputs for every user (its best guess is the base rate).
 */
export function classPrior(labels: readonly number[], classes: number): number[] {
  if (labels.length === 0) throw new ConfigError('classPrior: no labels');
  const counts = new Array<number>(classes).fill(0);
  labels.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0 || l >= classes) throw new ConfigError(`classPrior: label ${l} at ${i} is not one of ${classes} classes`);
    counts[l]! += 1;
  });
  return counts.map((c) => c / labels.length);
}

const uniform = (classes: number): number[] => new Array<number>(classes).fill(1 / classes);

/**
 * What a data-parallel replica needs to rebuild a discriminator of the same shape and objective (its weights
 * arrive from the trainer before each update).
 */
export interface DiscriminatorSpec {
  readonly dModel: number;
  readonly classes: number;
  readonly name: string;
  readonly confusionTarget: readonly number[];
}

let counter = 0;

export class Discriminator {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly layers: { w: tf.Variable; b: tf.Variable }[] = [];
  private target: readonly number[];

  /** `classes`: 2 for a binary attribute (one logit), else the number of classes. */
  constructor(readonly dModel: number, readonly classes: number, rng: Rng, readonly name = 'disc') {
    if (!Number.isInteger(classes) || classes < 2) throw new ConfigError(`Discriminator: classes must be an integer ≥ 2, got ${classes}`);
    if (!Number.isInteger(dModel) || dModel < 2) throw new ConfigError(`Discriminator: dModel must be an integer ≥ 2, got ${dModel}`);
    this.target = uniform(classes);
    const widths = [dModel, 2 * dModel, dModel, Math.max(1, dModel >> 1), classes === 2 ? 1 : classes];
    const id = counter++;
    for (let i = 0; i + 1 < widths.length; i++) {
      const [a, b] = [widths[i]!, widths[i + 1]!];
      const bound = Math.sqrt(6 / (a + b)); // Xavier uniform, as the reference's nn.init.xavier
      const seed = rng.nextSeed();
      // the initial tensors are freed by the tidies; the variables are kept
      const w = tf.tidy(() => tf.variable(tf.randomUniform([a, b], -bound, bound, 'float32', seed), true, `up5.${name}.${id}.${i}.weight`));
      const bb = tf.tidy(() => tf.variable(tf.zeros([b]), true, `up5.${name}.${id}.${i}.bias`));
      this.vars.set(`${name}.${i}.weight`, w);
      this.vars.set(`${name}.${i}.bias`, bb);
      this.layers.push({ w, b: bb });
    }
  }

  /** The distribution the `confusion` objective pulls the discriminator's output to (default uniform). */
  get confusionTarget(): readonly number[] {
    return this.target;
  }

  /**
   * Set {@link confusionTarget}: a distribution over the classes (the adversarial trainers set the class prior of
   * their training examples, see {@link classPrior}).
   */
  setConfusionTarget(p: readonly number[]): void {
    if (p.length !== this.classes) throw new ConfigError(`Discriminator.setConfusionTarget: ${p.length} probabilities for ${this.classes} classes`);
    if (p.some((x) => !(x >= 0 && x <= 1))) throw new ConfigError(`Discriminator.setConfusionTarget: probabilities must be in [0, 1], got [${p.join(', ')}]`);
    const sum = p.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-6) throw new ConfigError(`Discriminator.setConfusionTarget: probabilities must sum to 1, got ${sum}`);
    this.target = [...p];
  }

  /** Point {@link confusionTarget} at the class prior of `labels` (the trainers' training labels), or at uniform. */
  useConfusionTarget(target: ConfusionTarget, labels: readonly number[]): void {
    this.setConfusionTarget(target === 'prior' ? classPrior(labels, this.classes) : uniform(this.classes));
  }

  spec(): DiscriminatorSpec {
    return { dModel: this.dModel, classes: this.classes, name: this.name, confusionTarget: this.target };
  }

  /** A discriminator of `s`'s shape and confusion target, its weights freshly initialised. */
  static fromSpec(s: DiscriminatorSpec): Discriminator {
    const disc = new Discriminator(s.dModel, s.classes, new Rng(0), s.name);
    disc.setConfusionTarget(s.confusionTarget);
    return disc;
  }

  variables(): Map<string, tf.Variable> {
    return new Map(this.vars);
  }

  /** Logits [B, 1] (binary) or [B, C]. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor2D = x;
      this.layers.forEach((l, i) => {
        h = tf.add(tf.matMul(h, l.w), l.b) as tf.Tensor2D;
        if (i + 1 < this.layers.length) h = tf.leakyRelu(h, 0.2) as tf.Tensor2D;
      });
      return h;
    });
  }

  /** Mean loss against integer class labels (0/1 for binary). */
  loss(x: tf.Tensor2D, labels: readonly number[]): tf.Scalar {
    return tf.tidy(() => {
      const z = this.logits(x);
      if (this.classes === 2) return tf.losses.sigmoidCrossEntropy(tf.tensor2d([...labels], [labels.length, 1]), z) as tf.Scalar;
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([...labels], 'int32'), this.classes), z) as tf.Scalar;
    });
  }

  /**
   * The adversary's term in the prompt's (or model's) loss, to be minimised: `negative-ce` is −L_disc, UP5's
   * (unbounded: it rewards confidently wrong predictions, which a fresh attacker can read back); `confusion`
   * is the cross-entropy against {@link confusionTarget} (Alvi et al. 2018 use uniform). A discriminator that
   * cannot tell the classes apart outputs the class prior, so with the prior as target the term is minimal where
   * the representation hides the attribute; a uniform target on imbalanced classes instead pushes every
   * representation along the discriminator's bias, hiding nothing and costing accuracy. `mmd` does not use the
   * discriminator's weights: the classes' representations are pulled together directly ({@link classMmd}).
   */
  adversaryLoss(x: tf.Tensor2D, labels: readonly number[], objective: AdversaryObjective): tf.Scalar {
    if (objective === 'mmd') return classMmd(x, labels, this.classes);
    if (objective === 'negative-ce') return tf.tidy(() => tf.neg(this.loss(x, labels)) as tf.Scalar);
    return tf.tidy(() => {
      const z = this.logits(x);
      if (this.classes === 2) return tf.losses.sigmoidCrossEntropy(tf.fill(z.shape, this.target[1]!), z) as tf.Scalar;
      return tf.losses.softmaxCrossEntropy(tf.tile(tf.tensor2d([...this.target], [1, this.classes]), [z.shape[0], 1]), z) as tf.Scalar;
    });
  }

  /** Class probabilities [B, C] as plain arrays (binary: [1 − p, p]). */
  probabilities(x: tf.Tensor2D): number[][] {
    return tf.tidy(() => {
      const z = this.logits(x);
      if (this.classes === 2) {
        const p = tf.sigmoid(z).dataSync();
        return Array.from(p, (v) => [1 - v, v]);
      }
      return tf.softmax(z).arraySync() as number[][];
    });
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }
}
