/** The input and output of a decoder/encoder forward pass, and the input's checks (typed errors naming the field). */
import type * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@xrec/core';
import type { TransformerConfig } from './config.js';
import type { PrefixKV } from './prefix-kv.js';

export interface ForwardInput {
  /** int32 [B, T] */
  ids?: tf.Tensor2D;
  /** float32 [B, P, dModel], prepended before the token embeddings. */
  prefix?: tf.Tensor3D;
  /** [B, P+T], 1 = attend, 0 = padding. */
  attentionMask?: tf.Tensor2D;
  /** Enables dropout. */
  training?: boolean;
  /**
   * Seed of this call's dropout masks (the trainer's per-update `ctx.seed`): the masks then depend only on
   * the seed, so a resumed run draws the uninterrupted run's masks. Without it the model's `dropoutRng`
   * continues its own stream.
   */
  dropoutSeed?: number;
  /** Per-layer key/value prefixes attended by every position (prefix tuning); tokens are positioned after them. */
  prefixKV?: PrefixKV;
}

export interface ForwardOutput {
  /** [B, P+T, V] */
  logits: tf.Tensor3D;
  /** [B, P+T, d] (after the final norm) */
  hidden: tf.Tensor3D;
}

export function checkIds(ids: tf.Tensor, where: string): void {
  if (ids.rank !== 2) throw new ShapeError(`${where}: ids must be int32 [B, T], got shape [${ids.shape.join(', ')}]`);
  if (ids.dtype !== 'int32') throw new ShapeError(`${where}: ids must be int32, got ${ids.dtype}`);
}

/** Batch size and positions (prefix + tokens) of a checked input. */
export function checkForwardInput(input: ForwardInput, config: TransformerConfig, where: string): { batch: number; seq: number } {
  const { ids, prefix, attentionMask } = input;
  if (!ids && !prefix) throw new ShapeError(`${where}: need ids and/or prefix`);
  if (ids) checkIds(ids, where);
  if (prefix && (prefix.rank !== 3 || prefix.shape[2] !== config.dModel)) {
    throw new ShapeError(`${where}: prefix must be [B, P, ${config.dModel}] (dModel), got [${prefix.shape.join(', ')}]`);
  }
  const batch = ids ? ids.shape[0] : prefix!.shape[0];
  if (ids && prefix && prefix.shape[0] !== batch) {
    throw new ShapeError(`${where}: prefix batch ${prefix.shape[0]} differs from ids batch ${batch}`);
  }
  const seq = (ids ? ids.shape[1] : 0) + (prefix ? prefix.shape[1] : 0);
  if (seq === 0) throw new ShapeError(`${where}: empty input (0 positions)`);
  const pk = input.prefixKV ? input.prefixKV.k[0]?.shape[2] ?? 0 : 0;
  if (seq + pk > config.contextLength) {
    throw new ShapeError(`${where}: sequence length ${seq}${pk ? ` after a ${pk}-position key/value prefix` : ''} exceeds contextLength ${config.contextLength}`);
  }
  if (attentionMask && (attentionMask.rank !== 2 || attentionMask.shape[0] !== batch || attentionMask.shape[1] !== seq)) {
    throw new ShapeError(`${where}: attentionMask must be [${batch}, ${seq}] (batch, prefix+tokens), got [${attentionMask.shape.join(', ')}]`);
  }
  return { batch, seq };
}
