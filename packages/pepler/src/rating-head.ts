/**
 * PEPLER's rating heads (module.py, "recommendation as regularization"): a rating r̂(u, i) predicted from
 * the same user/item prompt vectors u, i ∈ R^d that prefix the explanation.
 *
 * - MF:  r̂ = Σ_k u_k · i_k
 * - MLP: h0 = σ(W0 [u; i] + b0) (2d → H), h_l = σ(W_l h_{l−1} + b_l) (H → H, l = 1..L), r̂ = w · h_L + b
 *        (reference: H = 400, L = 2, weights uniform(−0.1, 0.1), biases 0).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@xrec/core';
import { uniqueVariableName } from './variable-name.js';

export interface RatingHead {
  readonly kind: 'mf' | 'mlp';
  /** u, i: [B, d] -> r̂: [B] */
  predict(u: tf.Tensor2D, i: tf.Tensor2D): tf.Tensor1D;
  /** Named variables (for training and saving). */
  variables(): Map<string, tf.Variable>;
  dispose(): void;
}

function uniform(shape: number[], range: number, rng: Rng): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) out[k] = (rng.float() * 2 - 1) * range;
  return out;
}

export class MfHead implements RatingHead {
  readonly kind = 'mf' as const;
  predict(u: tf.Tensor2D, i: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.sum(tf.mul(u, i), 1) as tf.Tensor1D); // [B]
  }
  variables(): Map<string, tf.Variable> {
    return new Map();
  }
  dispose(): void {}
}

export class MlpHead implements RatingHead {
  readonly kind = 'mlp' as const;
  private readonly vars = new Map<string, tf.Variable>();
  readonly layers: number;

  /** Create with reference initialisation; `values` (from a saved file) overrides it. */
  constructor(dModel: number, hidden: number, layers: number, rng: Rng, initRange = 0.1, values?: Map<string, tf.Tensor>) {
    this.layers = layers;
    const make = (name: string, shape: number[], zero: boolean): void => {
      const given = values?.get(name);
      const t = given ?? tf.tensor(zero ? new Float32Array(shape.reduce((a, b) => a * b, 1)) : uniform(shape, initRange, rng), shape);
      this.vars.set(name, tf.variable(t, true, uniqueVariableName(`pepler.rec.${name}`)));
      if (!given) t.dispose();
    };
    make('first_layer.weight', [2 * dModel, hidden], false);
    make('first_layer.bias', [hidden], true);
    for (let l = 0; l < layers; l++) {
      make(`layers.${l}.weight`, [hidden, hidden], false);
      make(`layers.${l}.bias`, [hidden], true);
    }
    make('last_layer.weight', [hidden, 1], false);
    make('last_layer.bias', [1], true);
  }

  private v(name: string): tf.Variable {
    const x = this.vars.get(name);
    if (!x) throw new Error(`MlpHead: missing variable ${name}`);
    return x;
  }

  predict(u: tf.Tensor2D, i: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      let h = tf.sigmoid(tf.add(tf.matMul(tf.concat([u, i], 1), this.v('first_layer.weight')), this.v('first_layer.bias'))); // [B, H]
      for (let l = 0; l < this.layers; l++) {
        h = tf.sigmoid(tf.add(tf.matMul(h, this.v(`layers.${l}.weight`)), this.v(`layers.${l}.bias`))); // [B, H]
      }
      const r = tf.add(tf.matMul(h, this.v('last_layer.weight')), this.v('last_layer.bias')); // [B, 1]
      return tf.reshape(r, [-1]) as tf.Tensor1D; // [B]
    });
  }

  variables(): Map<string, tf.Variable> {
    return new Map([...this.vars].map(([k, v]) => [`rec.${k}`, v]));
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
