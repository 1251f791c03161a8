/**
 * Prompt tuning (Lester et al. 2021; peft's `PromptEmbedding`): `tokens` virtual token embeddings [n, d]
 * prepended to every sequence as input embeddings (the model's `prefix` input). Initialised at random or from
 * the embeddings of given token ids (peft's `PromptTuningInit.TEXT`).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, type Rng } from '@xrec/core';
import { initValues, uniqueName, type PromptInit } from './init.js';

export interface PromptTuningOptions {
  readonly tokens: number;
  readonly dim: number;
  /** Random init (default N(0, 0.02²)), or copy the rows of `embeddings` [V, d] at `ids` (cycled to `tokens`). */
  readonly init?: PromptInit | { readonly kind: 'embeddings'; readonly embeddings: tf.Tensor2D; readonly ids: readonly number[] };
}

export class PromptTuning {
  private constructor(readonly tokens: number, readonly dim: number, private readonly table: tf.Variable) {}

  static create(o: PromptTuningOptions, rng: Rng): PromptTuning {
    if (!Number.isInteger(o.tokens) || o.tokens < 1) throw new ConfigError(`PromptTuning: tokens must be a positive integer, got ${o.tokens}`);
    const init = o.init ?? { kind: 'normal', std: 0.02 };
    let values: tf.Tensor2D;
    if (init.kind === 'embeddings') {
      const [V, d] = init.embeddings.shape;
      if (d !== o.dim) throw new ConfigError(`PromptTuning: embeddings are [${V}, ${d}] but dim is ${o.dim}`);
      if (init.ids.length === 0 || init.ids.some((id) => !Number.isInteger(id) || id < 0 || id >= V)) {
        throw new ConfigError(`PromptTuning: init ids must be non-empty and in [0, ${V}), got ${JSON.stringify(init.ids)}`);
      }
      const ids = Array.from({ length: o.tokens }, (_, i) => init.ids[i % init.ids.length]!);
      values = tf.tidy(() => tf.gather(init.embeddings, tf.tensor1d(ids, 'int32')) as tf.Tensor2D);
    } else {
      values = tf.tensor2d(initValues(o.tokens, o.dim, init, rng, 'PromptTuning'), [o.tokens, o.dim]);
    }
    const table = tf.variable(values, true, uniqueName('prompts.prompt_embeddings'));
    values.dispose(); // the variable holds its own reference to the data
    return new PromptTuning(o.tokens, o.dim, table);
  }

  variables(): Map<string, tf.Variable> {
    return new Map([['prompt_embeddings.weight', this.table]]);
  }

  /** The virtual tokens for a batch: [B, tokens, d] (the model's `prefix` input). */
  prefix(batch: number): tf.Tensor3D {
    return tf.tile(tf.expandDims(this.table, 0), [batch, 1, 1]) as tf.Tensor3D;
  }

  dispose(): void {
    this.table.dispose();
  }
}
