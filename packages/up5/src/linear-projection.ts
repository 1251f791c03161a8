/**
 * The linear-projection fairness baseline: iterative nullspace projection (INLP; Ravfogel et al., ACL 2020).
 * Repeatedly fit a linear classifier of the attribute on the representations projected so far and remove its
 * weight directions (one for a binary attribute, one per class otherwise) by orthogonal projection, until the
 * classifier no longer predicts the attribute on held-out rows (its ROC-AUC, macro one-vs-one for several
 * classes, below `stopAuc`) — INLP's stopping rule, so an attribute that is not linearly readable loses nothing. The projection P = I − BᵀB (B: the
 * orthonormal rows of the removed directions) is linear, so applying it to every encoder state of a prompt
 * applies it to the user representation (their mean) too — which is how the fairness task ranks with it.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, Rng, ShapeError } from '@xrec/core';
import { rocAuc } from '@xrec/metrics';
import { AdamW } from '@xrec/transformer';
import { macroOvoAuc } from './attacker.js';

export class LinearProjection {
  /** `basis`: k orthonormal rows of length `dModel` (row-major), the removed directions. */
  constructor(readonly dModel: number, readonly basis: Float32Array) {
    if (basis.length % dModel !== 0) throw new ShapeError(`LinearProjection: basis of ${basis.length} values is not k × ${dModel}`);
  }

  /** Number of removed directions. */
  get rank(): number {
    return this.basis.length / this.dModel;
  }

  /** x − (x Bᵀ) B for x [n, d] (call inside a tidy or a loss). */
  projectTensor(x: tf.Tensor2D): tf.Tensor2D {
    if (x.shape[1] !== this.dModel) throw new ShapeError(`LinearProjection: expected [n, ${this.dModel}], got [${x.shape.join(', ')}]`);
    if (this.rank === 0) return tf.clone(x);
    return tf.tidy(() => {
      const b = tf.tensor2d(this.basis, [this.rank, this.dModel]);
      return tf.sub(x, tf.matMul(tf.matMul(x, b, false, true), b)) as tf.Tensor2D;
    });
  }

  /** The projection of representations [n, d] (row-major). */
  project(reps: Float32Array): Float32Array {
    if (reps.length % this.dModel !== 0) throw new ShapeError(`LinearProjection: ${reps.length} values are not n × ${this.dModel}`);
    return tf.tidy(() => this.projectTensor(tf.tensor2d(reps, [reps.length / this.dModel, this.dModel])).dataSync() as Float32Array);
  }
}

export interface NullspaceOptions {
  readonly dModel: number;
  /** 2 for a binary attribute, else the number of classes. */
  readonly classes: number;
  /** Classifiers fitted and removed (default 10); fewer when a classifier finds no new direction. */
  readonly iterations?: number;
  /** Stop when a fresh classifier's held-out AUC is below this (default 0.55). */
  readonly stopAuc?: number;
  /** Share of the rows held out to test each classifier (default 0.2). */
  readonly heldOut?: number;
  /** Full-batch AdamW steps per classifier (default 300). */
  readonly steps?: number;
  readonly lr?: number;
  readonly seed?: number;
}

/** Fit an INLP projection removing the attribute from representations [n, d] with integer class labels. */
export function fitNullspaceProjection(reps: Float32Array, labels: readonly number[], o: NullspaceOptions): LinearProjection {
  const d = o.dModel;
  const n = labels.length;
  if (reps.length !== n * d) throw new ShapeError(`fitNullspaceProjection: representations must be [${n}, ${d}] matching the labels, got ${reps.length} values`);
  if (!Number.isInteger(o.classes) || o.classes < 2) throw new ConfigError(`fitNullspaceProjection: classes must be an integer ≥ 2, got ${o.classes}`);
  const bad = labels.findIndex((l) => !Number.isInteger(l) || l < 0 || l >= o.classes);
  if (bad >= 0) throw new ConfigError(`fitNullspaceProjection: label ${labels[bad]} at ${bad} is not one of ${o.classes} classes`);
  const iterations = o.iterations ?? 10;
  if (!Number.isInteger(iterations) || iterations < 1) throw new ConfigError(`fitNullspaceProjection: iterations must be a positive integer, got ${iterations}`);
  const outs = o.classes === 2 ? 1 : o.classes;
  const rng = new Rng(o.seed ?? 0);
  // rows held out to decide whether a classifier still reads the attribute
  const order = rng.permutation(n);
  const nTest = Math.max(1, Math.round((o.heldOut ?? 0.2) * n));
  const testIdx = order.slice(0, nTest);
  const trainIdx = order.slice(nTest);
  const rowsOf = (idx: readonly number[]) => {
    const out = new Float32Array(idx.length * d);
    idx.forEach((r, i) => out.set(reps.subarray(r * d, (r + 1) * d), i * d));
    return out;
  };
  const testLabels = testIdx.map((i) => labels[i]!);
  const basis: Float32Array[] = [];
  const X = tf.tensor2d(rowsOf(trainIdx), [trainIdx.length, d]);
  const Xt = tf.tensor2d(rowsOf(testIdx), [testIdx.length, d]);
  const yTrain = trainIdx.map((i) => labels[i]!);
  const Y = o.classes === 2 ? tf.tensor2d(yTrain, [yTrain.length, 1]) : tf.oneHot(tf.tensor1d(yTrain, 'int32'), o.classes);
  try {
    for (let it = 0; it < iterations && basis.length < d; it++) {
      const proj = new LinearProjection(d, concat(basis, d));
      const w = tf.variable(tf.randomNormal([d, outs], 0, 0.01, 'float32', rng.nextSeed()), true, `inlp.w.${it}.${rng.nextSeed()}`);
      const b = tf.variable(tf.zeros([outs]), true, `inlp.b.${it}.${rng.nextSeed()}`);
      const named = new Map([['w', w], ['b', b]]);
      const opt = new AdamW(named, { weightDecay: 0 });
      try {
        const Xp = proj.projectTensor(X);
        for (let s = 0; s < (o.steps ?? 300); s++) {
          tf.tidy(() => {
            const { grads } = tf.variableGrads(() => {
              const z = tf.add(tf.matMul(Xp, w), b);
              return (o.classes === 2 ? tf.losses.sigmoidCrossEntropy(Y, z) : tf.losses.softmaxCrossEntropy(Y, z)) as tf.Scalar;
            }, [w, b]);
            opt.applyGradients(new Map([['w', grads[w.name]!], ['b', grads[b.name]!]]), o.lr ?? 1e-2);
          });
        }
        Xp.dispose();
        // does this classifier still read the attribute on the held-out rows?
        const probs = tf.tidy(() => {
          const z = tf.add(tf.matMul(proj.projectTensor(Xt), w), b);
          return (o.classes === 2 ? tf.sigmoid(z) : tf.softmax(z)).arraySync() as number[][];
        });
        const auc = new Set(testLabels).size < 2 ? 0.5 : o.classes === 2 ? rocAuc(probs.map((r) => r[0]!), testLabels.map((l) => (l === 1 ? 1 : 0))) : macroOvoAuc(probs, testLabels, o.classes);
        if (!(auc >= (o.stopAuc ?? 0.55))) break;
        const W = w.arraySync() as number[][];
        let added = 0;
        for (let c = 0; c < outs; c++) {
          const v = Float32Array.from(W, (row) => row[c]!);
          for (const u of basis) axpy(v, u, -dot(v, u));
          const norm = Math.sqrt(dot(v, v));
          if (norm < 1e-6) continue;
          scale(v, 1 / norm);
          // a second pass keeps the rows orthonormal to float precision
          for (const u of basis) axpy(v, u, -dot(v, u));
          scale(v, 1 / Math.sqrt(dot(v, v)));
          basis.push(v);
          added++;
          if (basis.length === d) break;
        }
        if (added === 0) break;
      } finally {
        w.dispose();
        b.dispose();
        opt.dispose();
      }
    }
  } finally {
    X.dispose();
    Xt.dispose();
    Y.dispose();
  }
  return new LinearProjection(d, concat(basis, d));
}

function scale(v: Float32Array, a: number): void {
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * a;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(y: Float32Array, x: Float32Array, a: number): void {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!;
}

function concat(rows: readonly Float32Array[], d: number): Float32Array {
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => out.set(r, i * d));
  return out;
}
