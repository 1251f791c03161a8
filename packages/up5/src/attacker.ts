/**
 * Fairness evaluation (UP5): a fresh attacker — a {@link Discriminator} trained on the user representations of
 * the attacker-training users — predicts the attribute of held-out users; its ROC-AUC (binary) or macro
 * one-vs-one ROC-AUC (multi-class, Hand & Till) measures the leak: 0.5 is perfectly fair. Also the
 * hard-prediction AUC of the OtPrFairness code the Insurance attacker files come from: the AUC of the
 * 0/1 predictions, folded to max(auc, 1 − auc).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, Rng, ShapeError } from '@xrec/core';
import { rocAuc } from '@xrec/metrics';
import { AdamW } from '@xrec/transformer';
import { Discriminator } from './discriminator.js';

export interface AttackerResult {
  /** ROC-AUC (binary) or macro one-vs-one ROC-AUC of the attacker's probabilities on the test users. */
  readonly auc: number;
  /** OtPrFairness' folded AUC of hard predictions (binary attributes only). */
  readonly hardAuc?: number;
  readonly trainUsers: number;
  readonly testUsers: number;
  /** The trained attacker, when asked for with `keep: true` (the caller disposes it). */
  readonly attacker?: Discriminator;
}

/** Macro one-vs-one AUC over class pairs that both occur (Hand & Till 2001; sklearn's `multi_class='ovo'`). */
export function macroOvoAuc(probs: readonly (readonly number[])[], labels: readonly number[], classes: number): number {
  const aucs: number[] = [];
  for (let a = 0; a < classes; a++) {
    for (let b = a + 1; b < classes; b++) {
      const idx = labels.map((l, i) => [l, i] as const).filter(([l]) => l === a || l === b).map(([, i]) => i);
      if (!idx.some((i) => labels[i] === a) || !idx.some((i) => labels[i] === b)) continue;
      const ab = rocAuc(idx.map((i) => probs[i]![a]!), idx.map((i) => (labels[i] === a ? 1 : 0)));
      const ba = rocAuc(idx.map((i) => probs[i]![b]!), idx.map((i) => (labels[i] === b ? 1 : 0)));
      aucs.push((ab + ba) / 2);
    }
  }
  if (aucs.length === 0) throw new ShapeError('macroOvoAuc: fewer than two classes occur in the labels');
  return aucs.reduce((x, y) => x + y, 0) / aucs.length;
}

export interface FitOptions {
  readonly epochs?: number;
  readonly lr?: number;
  readonly batchSize?: number;
  readonly seed?: number;
}

/** Fit a discriminator on fixed representations ([users, d] with one label each): AdamW, shuffled mini-batches. */
export function fitDiscriminator(disc: Discriminator, reps: Float32Array, labels: readonly number[], o: FitOptions = {}): void {
  const d = disc.dModel;
  if (reps.length !== labels.length * d) throw new ShapeError(`fitDiscriminator: representations must be [${labels.length}, ${d}] matching the labels, got ${reps.length} values`);
  const bad = labels.findIndex((l) => !Number.isInteger(l) || l < 0 || l >= disc.classes);
  if (bad >= 0) throw new ConfigError(`fitDiscriminator: label ${labels[bad]} at ${bad} is not a class of a ${disc.classes}-class discriminator`);
  const rng = new Rng(o.seed ?? 0);
  const named = disc.variables();
  const opt = new AdamW(named, { weightDecay: 0 });
  const vars = [...named.values()];
  const lr = o.lr ?? 1e-3;
  const bs = o.batchSize ?? 256;
  const X = tf.tensor2d(reps, [labels.length, d]);
  try {
    for (let e = 0; e < (o.epochs ?? 20); e++) {
      const order = rng.permutation(labels.length);
      for (let s = 0; s < order.length; s += bs) {
        const idx = Array.from(order.slice(s, s + bs));
        tf.tidy(() => {
          const x = tf.gather(X, tf.tensor1d(idx, 'int32')) as tf.Tensor2D;
          const { grads } = tf.variableGrads(() => disc.loss(x, idx.map((i) => labels[i]!)), vars);
          opt.applyGradients(new Map([...named].map(([n, v]) => [n, grads[v.name]!])), lr);
        });
      }
    }
  } finally {
    X.dispose();
    opt.dispose();
  }
}

/** Train a fresh attacker on (train representations, labels) and score it on the test users. */
export function attackerAuc(
  train: { reps: Float32Array; labels: readonly number[] },
  test: { reps: Float32Array; labels: readonly number[] },
  o: { dModel: number; classes: number; epochs?: number; lr?: number; batchSize?: number; seed?: number; keep?: boolean },
): AttackerResult {
  const d = o.dModel;
  if (train.reps.length !== train.labels.length * d || test.reps.length !== test.labels.length * d) throw new ShapeError(`attackerAuc: representations must be [users, ${d}] matching the labels`);
  if (train.labels.length === 0 || test.labels.length === 0) throw new ConfigError('attackerAuc: needs training and test users');
  const rng = new Rng(o.seed ?? 0);
  const att = new Discriminator(d, o.classes, rng.fork('attacker'), 'attacker');
  let kept = false;
  try {
    fitDiscriminator(att, train.reps, train.labels, { ...(o.epochs !== undefined ? { epochs: o.epochs } : {}), ...(o.lr !== undefined ? { lr: o.lr } : {}), ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}), seed: rng.nextSeed() });
    const probs = tf.tidy(() => att.probabilities(tf.tensor2d(test.reps, [test.labels.length, d])));
    kept = o.keep === true;
    const base = { trainUsers: train.labels.length, testUsers: test.labels.length, ...(kept ? { attacker: att } : {}) };
    if (o.classes === 2) {
      const p = probs.map((r) => r[1]!);
      const y = test.labels.map((l) => (l === 1 ? 1 : 0));
      const hard = rocAuc(p.map((v) => (v >= 0.5 ? 1 : 0)), y);
      return { auc: rocAuc(p, y), hardAuc: Math.max(hard, 1 - hard), ...base };
    }
    return { auc: macroOvoAuc(probs, test.labels, o.classes), ...base };
  } finally {
    if (!kept) att.dispose();
  }
}
