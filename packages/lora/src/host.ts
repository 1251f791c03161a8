/**
 * What LoRA needs from a model: the slice of @xrec/transformer's `TransformerLM` contract that adapters hook
 * into. Any object with these members (the real `TransformerLM`, or a small test model) can be adapted.
 */
import type * as tf from '@tensorflow/tfjs';

/** Returns the adapted output given the 2-D input and the base layer's output (transformer's `LinearAdapter`). */
export interface LinearAdapterLike {
  apply(x: tf.Tensor2D /* [N, in] */, baseOut: tf.Tensor2D /* [N, out] */, training: boolean): tf.Tensor2D;
}

/** transformer's `LinearLayer`: `y = x @ weight + bias`, weight stored [in, out] for compute. */
export interface LinearLayerLike {
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: tf.Variable; // [in, out]
  readonly bias?: tf.Variable; // [out]
  readonly hfLayout: 'conv1d' | 'linear';
  adapter: LinearAdapterLike | undefined;
  adapterDisabled: boolean;
}

/** The model members LoRA uses. */
export interface LoraHost {
  /** HF names -> variables (LinearLayer weights in [in, out] compute layout). */
  parameters(): Map<string, tf.Variable>;
  linearLayers(): LinearLayerLike[];
  setTrainable(pred: (name: string) => boolean): void;
  trainableVariables(): Map<string, tf.Variable>;
}
