/** Attention-mask pieces shared by the T5 stacks and the decoding cache. */
import * as tf from '@tensorflow/tfjs';
import type { PrefixKV } from '../prefix-kv.js';

/** The additive score of a masked key. */
export const NEG = -1e9;

/** Key-padding mask [B, 1, 1, Sk] (0 / −1e9) from a [B, Sk] mask, or undefined when nothing is padded. */
export function keyMask(mask: tf.Tensor2D | undefined): tf.Tensor4D | undefined {
  if (!mask) return undefined;
  const [B, S] = mask.shape;
  return tf.reshape(tf.mul(tf.sub(1, tf.cast(mask, 'float32')), NEG), [B, 1, 1, S]) as tf.Tensor4D;
}

/** Layer `l`'s key/value prefix, if any. */
export function layerPrefix(p: PrefixKV | undefined, l: number): { k: tf.Tensor4D; v: tf.Tensor4D } | undefined {
  return p ? { k: p.k[l]!, v: p.v[l]! } : undefined;
}
