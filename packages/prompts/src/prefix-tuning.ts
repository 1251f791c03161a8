/**
 * Prefix tuning (Li & Liang 2021; peft's `PrefixEncoder`): `tokens` virtual positions whose keys and values
 * enter every attention layer (the model's `prefixKV` input). As peft: an embedding [n, L·2·H_kv·hd] used
 * directly, or — with `projection` — an embedding [n, d] reparameterised by `Linear(d, hidden) → tanh →
 * Linear(hidden, L·2·H_kv·hd)`. The last axis is laid out (layer, key|value, head, head dim), as peft's
 * `view(n, L·2, H, hd).permute(2, 0, 3, 1, 4).split(2)`; dropout (UP5 uses 0.1) applies to the keys/values.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, Rng } from '@xrec/core';
import type { PrefixKV } from '@xrec/transformer';
import { initValues, uniqueName } from './init.js';

export interface PrefixTuningConfig {
  readonly tokens: number;
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  /** Width of the embedding fed to the projection (the model width, as peft's `token_dim`). */
  readonly dModel: number;
  /** Reparameterise through an MLP of this hidden width (peft `prefix_projection` + `encoder_hidden_size`). */
  readonly projectionHidden?: number;
  readonly dropout?: number;
}

export class PrefixTuning {
  private readonly vars = new Map<string, tf.Variable>();
  private constructor(readonly config: PrefixTuningConfig) {}

  /** New module; the embedding is N(0, 1) as torch's `nn.Embedding`, linear layers U(±1/√fan_in) as `nn.Linear`. */
  static create(config: PrefixTuningConfig, rng: Rng): PrefixTuning {
    const c = config;
    for (const k of ['tokens', 'layers', 'kvHeads', 'headDim', 'dModel'] as const) {
      if (!Number.isInteger(c[k]) || c[k] < 1) throw new ConfigError(`PrefixTuning: ${k} must be a positive integer, got ${c[k]}`);
    }
    if (c.projectionHidden !== undefined && (!Number.isInteger(c.projectionHidden) || c.projectionHidden < 1)) {
      throw new ConfigError(`PrefixTuning: projectionHidden must be a positive integer, got ${c.projectionHidden}`);
    }
    if (c.dropout !== undefined && !(c.dropout >= 0 && c.dropout < 1)) throw new ConfigError(`PrefixTuning: dropout must be in [0, 1), got ${c.dropout}`);
    const m = new PrefixTuning(c);
    const out = c.layers * 2 * c.kvHeads * c.headDim;
    const add = (name: string, shape: number[], values: Float32Array) => m.vars.set(name, tf.tidy(() => tf.variable(tf.tensor(values, shape), true, uniqueName(`prompts.prefix.${name}`))));
    const linear = (fanIn: number, fanOut: number) => initValues(fanIn, fanOut, { kind: 'uniform', range: 1 / Math.sqrt(fanIn) }, rng, 'PrefixTuning');
    if (c.projectionHidden === undefined) {
      add('embedding.weight', [c.tokens, out], initValues(c.tokens, out, { kind: 'normal', std: 1 }, rng, 'PrefixTuning'));
    } else {
      const h = c.projectionHidden;
      add('embedding.weight', [c.tokens, c.dModel], initValues(c.tokens, c.dModel, { kind: 'normal', std: 1 }, rng, 'PrefixTuning'));
      add('transform.0.weight', [c.dModel, h], linear(c.dModel, h)); // [in, out] (compute layout)
      add('transform.0.bias', [h], initValues(1, h, { kind: 'uniform', range: 1 / Math.sqrt(c.dModel) }, rng, 'PrefixTuning'));
      add('transform.2.weight', [h, out], linear(h, out));
      add('transform.2.bias', [out], initValues(1, out, { kind: 'uniform', range: 1 / Math.sqrt(h) }, rng, 'PrefixTuning'));
    }
    return m;
  }

  variables(): Map<string, tf.Variable> {
    return new Map(this.vars);
  }

  /** The flat keys/values [n, L·2·H_kv·hd] (after the projection, before dropout). */
  flat(): tf.Tensor2D {
    const v = (n: string) => this.vars.get(n)!;
    if (this.config.projectionHidden === undefined) return v('embedding.weight') as unknown as tf.Tensor2D;
    return tf.tidy(() => {
      const h = tf.tanh(tf.add(tf.matMul(v('embedding.weight'), v('transform.0.weight')), v('transform.0.bias')));
      return tf.add(tf.matMul(h, v('transform.2.weight')), v('transform.2.bias')) as tf.Tensor2D;
    });
  }

  /** The per-layer keys and values [1, H_kv, n, hd] (shared by the batch). `dropoutSeed` seeds the masks. */
  prefixKV(opts: { training?: boolean; dropoutSeed?: number } = {}): PrefixKV {
    const { tokens: n, layers: L, kvHeads: H, headDim: hd, dropout = 0 } = this.config;
    let flat = this.flat();
    if (opts.training && dropout > 0) flat = tf.dropout(flat, dropout, undefined, new Rng(opts.dropoutSeed ?? 0).nextSeed()) as tf.Tensor2D;
    const all = tf.transpose(tf.reshape(flat, [n, L * 2, H, hd]), [1, 2, 0, 3]); // [L·2, H, n, hd]
    const parts = tf.split(all, L * 2, 0) as tf.Tensor4D[]; // each [1, H, n, hd]
    return { k: parts.filter((_, i) => i % 2 === 0), v: parts.filter((_, i) => i % 2 === 1) };
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }
}
