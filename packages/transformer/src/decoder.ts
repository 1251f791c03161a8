/**
 * The decoder internals that generation, prefix caches and package tests use: the transformer stack on 2-D
 * activations, input embeddings and the output projection. They are not part of the public API: the model
 * hands them out only through the {@link DECODER} symbol, which the package index does not export.
 */
import type * as tf from '@tensorflow/tfjs';
import type { TransformerConfig } from './config.js';

/** Key/value tensors of earlier positions, per layer: [B, nKvHeads, S_past, hd] (keys after RoPE). */
export interface KvCache {
  k: tf.Tensor4D[];
  v: tf.Tensor4D[];
}

/** Input of {@link DecoderInternals.runStack}: embeddings plus the per-row bookkeeping for masks and positions. */
export interface StackInput {
  /** [B·S, d] input embeddings (tokens and prefixes, without positions). */
  x: tf.Tensor2D;
  batch: number;
  seq: number;
  /** Position id of each of the B·S rows. */
  positions: Int32Array;
  /** Validity of every key position, past and current: [B, S_past + S] flattened (1 = attend). */
  keyValid: Uint8Array;
  /** Cached keys/values of the S_past earlier positions (empty arrays or undefined when none). */
  past?: KvCache;
  training: boolean;
}


export type AttentionMode = 'auto' | 'batched';

export interface DecoderInternals {
  readonly config: TransformerConfig;
  /** The stack: final-norm hidden states [B·S, d] and each layer's keys/values (past + current). */
  runStack(inp: StackInput): { hidden: tf.Tensor2D; cache: KvCache };
  /** Prefix and token embeddings concatenated: [B·S, d]. */
  inputEmbeddings2d(ids: tf.Tensor2D | undefined, prefix: tf.Tensor3D | undefined, batch: number, seq: number): tf.Tensor2D;
  /** The output layer as a reusable projector (transposes a tied embedding once). */
  outputProjector(): { logits(hidden: tf.Tensor2D): tf.Tensor2D; dispose(): void };
  /** Logits [N, V] of final hidden states [N, d]. */
  logits2d(hidden: tf.Tensor2D, training?: boolean): tf.Tensor2D;
  /**
   * Attention kernel choice: `auto` runs uncached passes as one fused op with 2-D matmuls per (batch row,
   * head) where the fused kernels exist and attention dropout is off (else, with at most 4 heads, the blocked
   * 2-D form), and cached passes as batched per-head matmuls; `batched` always uses the latter.
   */
  setAttentionMode(mode: AttentionMode): void;
}

/** The key under which a model hands out its {@link DecoderInternals}. */
export const DECODER: unique symbol = Symbol('xrec.decoder');

/** Anything that hands out decoder internals (a TransformerLM). */
export interface HasDecoder {
  [DECODER](): DecoderInternals;
}
