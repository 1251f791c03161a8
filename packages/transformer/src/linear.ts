/**
 * Every weight-matrix multiply of the model goes through a {@link LinearLayer}, so LoRA (Hu et al. 2021)
 * can wrap it through the `adapter` slot without touching the model code.
 *
 *   y = x W (+ b)            x: [N, in], W: [in, out] (compute layout), b: [out]
 *   y' = adapter.apply(x, y)  when an adapter is set and not disabled
 *
 * Hugging Face stores GPT-2's Conv1D weights as [in, out] (same as ours) and nn.Linear weights as
 * [out, in] (transposed on save/load); `hfLayout` says which.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@xrec/core';
import { linear2d } from './ops.js';

export interface LinearAdapter {
  /** Return the adapted output given the 2-D input and the base layer's output. */
  apply(x: tf.Tensor2D /* [N, in] */, baseOut: tf.Tensor2D /* [N, out] */, training: boolean): tf.Tensor2D;
}

export interface LinearLayer {
  /** HF module name, e.g. 'transformer.h.0.attn.c_attn' or 'model.layers.0.self_attn.q_proj'. */
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Stored as [in, out] for compute (x @ W); HF name `${name}.weight`. */
  readonly weight: tf.Variable;
  /** [out] */
  readonly bias?: tf.Variable;
  /** GPT-2 Conv1D stores [in,out]; nn.Linear stores [out,in] (transpose on save/load). */
  readonly hfLayout: 'conv1d' | 'linear';
  /** Set by LoRA; undefined = plain layer. */
  adapter: LinearAdapter | undefined;
  /** When true, `weight` is used as is but the adapter is skipped (peft's disable_adapters). */
  adapterDisabled: boolean;
  /** y = x W + b (+ adapter) for x: [N, in] -> [N, out]. */
  apply(x: tf.Tensor2D, training: boolean): tf.Tensor2D;
}

/** The model's linear layer: a weight, an optional bias and the adapter slot. */
export class Linear implements LinearLayer {
  adapter: LinearAdapter | undefined = undefined;
  adapterDisabled = false;

  constructor(
    readonly name: string,
    readonly weight: tf.Variable,
    readonly bias: tf.Variable | undefined,
    readonly hfLayout: 'conv1d' | 'linear',
  ) {
    if (weight.rank !== 2) throw new ShapeError(`${name}.weight must be 2-D [in, out], got [${weight.shape.join(', ')}]`);
    if (bias && (bias.rank !== 1 || bias.shape[0] !== weight.shape[1])) {
      throw new ShapeError(`${name}.bias must be [${weight.shape[1]}], got [${bias.shape.join(', ')}]`);
    }
  }

  get inFeatures(): number {
    return this.weight.shape[0]!;
  }

  get outFeatures(): number {
    return this.weight.shape[1]!;
  }

  apply(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new ShapeError(`${this.name}: input must be [N, ${this.inFeatures}], got [${x.shape.join(', ')}]`);
    }
    let y = linear2d(x, this.weight as unknown as tf.Tensor2D, this.bias as unknown as tf.Tensor1D | undefined); // [N, out]
    if (this.adapter && !this.adapterDisabled) y = this.adapter.apply(x, y, training);
    return y;
  }
}
