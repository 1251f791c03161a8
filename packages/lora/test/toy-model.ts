/**
 * A small model that implements the LinearLayer / model contract of @xrec/transformer (weights [in, out],
 * adapters applied after the base product), so LoRA's math and bookkeeping can be tested on their own.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import type { LinearAdapterLike, LinearLayerLike, LoraHost } from '../src/index.js';

export class ToyLinear implements LinearLayerLike {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  adapter: LinearAdapterLike | undefined = undefined;
  adapterDisabled = false;
  constructor(
    readonly name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly hfLayout: 'conv1d' | 'linear',
    rng: Rng,
    withBias: boolean,
  ) {
    const w = new Float32Array(inFeatures * outFeatures).map(() => rng.normal(0, 1 / Math.sqrt(inFeatures)));
    this.weight = tf.variable(tf.tensor2d(w, [inFeatures, outFeatures]));
    if (withBias) this.bias = tf.variable(tf.tensor1d(new Float32Array(outFeatures).map(() => rng.normal(0, 0.1))));
  }
  forward(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      let y = tf.matMul(x, this.weight) as tf.Tensor2D; // [N, out]
      if (this.bias) y = tf.add(y, this.bias) as tf.Tensor2D;
      if (this.adapter && !this.adapterDisabled) y = this.adapter.apply(x, y, training);
      return y;
    });
  }
}

/** emb -> (c_attn, c_proj: conv1d) -> (up_proj, down_proj: linear) -> lm_head; a residual MLP over embeddings. */
export class ToyModel implements LoraHost {
  readonly emb: tf.Variable;
  readonly norm: tf.Variable;
  readonly layers: ToyLinear[];
  constructor(readonly vocab = 16, readonly d = 8, seed = 1) {
    const rng = new Rng(seed);
    this.emb = tf.variable(tf.tensor2d(new Float32Array(vocab * d).map(() => rng.normal(0, 0.5)), [vocab, d]));
    this.norm = tf.variable(tf.ones([d]));
    this.layers = [
      new ToyLinear('transformer.h.0.attn.c_attn', d, 2 * d, 'conv1d', rng, true),
      new ToyLinear('transformer.h.0.attn.c_proj', 2 * d, d, 'conv1d', rng, true),
      new ToyLinear('transformer.h.0.mlp.up_proj', d, 3 * d, 'linear', rng, false),
      new ToyLinear('transformer.h.0.mlp.down_proj', 3 * d, d, 'linear', rng, false),
      new ToyLinear('lm_head', d, vocab, 'linear', rng, false),
    ];
  }
  layer(suffix: string): ToyLinear {
    return this.layers.find((l) => l.name.endsWith(suffix))!;
  }
  /** ids [N] -> logits [N, V] */
  forward(ids: number[], training = false): tf.Tensor2D {
    return tf.tidy(() => {
      const [attn, proj, up, down, head] = this.layers as [ToyLinear, ToyLinear, ToyLinear, ToyLinear, ToyLinear];
      let h = tf.gather(this.emb, tf.tensor1d(ids, 'int32')) as tf.Tensor2D; // [N, d]
      h = tf.add(h, proj.forward(tf.tanh(attn.forward(h, training)) as tf.Tensor2D, training)) as tf.Tensor2D;
      h = tf.add(h, down.forward(tf.relu(up.forward(h, training)) as tf.Tensor2D, training)) as tf.Tensor2D;
      return head.forward(tf.mul(h, this.norm) as tf.Tensor2D, training);
    });
  }
  loss(ids: number[], targets: number[], training = false): tf.Scalar {
    return tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(targets, 'int32'), this.vocab), this.forward(ids, training)) as tf.Scalar);
  }
  parameters(): Map<string, tf.Variable> {
    const m = new Map<string, tf.Variable>([['transformer.wte.weight', this.emb], ['transformer.ln_f.weight', this.norm]]);
    for (const l of this.layers) {
      m.set(`${l.name}.weight`, l.weight);
      if (l.bias) m.set(`${l.name}.bias`, l.bias);
    }
    return m;
  }
  linearLayers(): ToyLinear[] {
    return this.layers;
  }
  setTrainable(pred: (name: string) => boolean): void {
    for (const [n, v] of this.parameters()) v.trainable = pred(n);
  }
  trainableVariables(): Map<string, tf.Variable> {
    return new Map([...this.parameters()].filter(([, v]) => v.trainable));
  }
  snapshot(): Map<string, Float32Array> {
    return new Map([...this.parameters()].map(([n, v]) => [n, (v.dataSync() as Float32Array).slice()]));
  }
  dispose(): void {
    for (const v of this.parameters().values()) v.dispose();
  }
}

/** A few steps of Adam on the given variables (stands in for the shared trainer in unit tests). */
export function fit(vars: Map<string, tf.Variable>, loss: () => tf.Scalar, steps: number, lr = 0.05): number[] {
  const opt = tf.train.adam(lr);
  const list = [...vars.values()];
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const l = opt.minimize(loss, true, list);
    losses.push(l!.dataSync()[0]!);
    l!.dispose();
  }
  opt.dispose();
  return losses;
}
