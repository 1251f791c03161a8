/**
 * UP5's attribute discriminator (and the attacker, the same shape trained afresh): an MLP on user
 * representations — d → 2d → d → d/2 → C with LeakyReLU(0.2), scaled down from the reference's 512 → … → 256 →
 * C at d = 512 (without its batch norms). Binary attributes: one logit, sigmoid + BCE; multi-class: C logits,
 * softmax + cross-entropy applied once (the reference applies cross-entropy to a softmax output).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, Rng } from '@xrec/core';

/** How a prompt plays against a discriminator: UP5's −L_disc, or confusion (match the uniform distribution). */
export type AdversaryObjective = 'negative-ce' | 'confusion';

export const ADVERSARY_OBJECTIVES: readonly AdversaryObjective[] = ['negative-ce', 'confusion'];

let counter = 0;

export class Discriminator {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly layers: { w: tf.Variable; b: tf.Variable }[] = [];

  /** `classes`: 2 for a binary attribute (one logit), else the number of classes. */
  constructor(readonly dModel: number, readonly classes: number, rng: Rng, readonly name = 'disc') {
    if (!Number.isInteger(classes) || classes < 2) throw new ConfigError(`Discriminator: classes must be an integer ≥ 2, got ${classes}`);
    if (!Number.isInteger(dModel) || dModel < 2) throw new ConfigError(`Discriminator: dModel must be an integer ≥ 2, got ${dModel}`);
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
   * is the cross-entropy against the uniform distribution (minimal when the discriminator cannot tell the
   * classes apart; Alvi et al. 2018).
   */
  adversaryLoss(x: tf.Tensor2D, labels: readonly number[], objective: AdversaryObjective): tf.Scalar {
    if (objective === 'negative-ce') return tf.tidy(() => tf.neg(this.loss(x, labels)) as tf.Scalar);
    return tf.tidy(() => {
      const z = this.logits(x);
      if (this.classes === 2) return tf.losses.sigmoidCrossEntropy(tf.fill(z.shape, 0.5), z) as tf.Scalar;
      return tf.losses.softmaxCrossEntropy(tf.fill(z.shape, 1 / this.classes), z) as tf.Scalar;
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
