/**
 * Per-layer key/value prefixes (prefix tuning, Li & Liang 2021; peft's `PrefixTuning` / `past_key_values`):
 * P virtual positions whose keys and values are given directly to every attention layer. Every query attends
 * to them (they sit before the first token), gradients flow into them, and the tokens' positions start at P
 * (as Hugging Face models number positions after `past_key_values`). Keys are used as given (no RoPE).
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@xrec/core';
import type { TransformerConfig } from './config.js';

/** One key and one value tensor per layer, each [B or 1, nKvHeads, P, headDim]. */
export interface PrefixKV {
  readonly k: readonly tf.Tensor4D[];
  readonly v: readonly tf.Tensor4D[];
}

/** P of a prefix (0 when absent or empty); throws a ShapeError naming the first tensor that does not fit. */
export function prefixKvLength(p: PrefixKV | undefined, c: TransformerConfig, batch: number, where: string): number {
  if (!p) return 0;
  const hd = c.dModel / c.nHeads;
  if (p.k.length !== c.nLayers || p.v.length !== c.nLayers) {
    throw new ShapeError(`${where}: prefixKV needs ${c.nLayers} key and value tensors (one per layer), got ${p.k.length} and ${p.v.length}`);
  }
  const P = p.k[0]!.shape[2];
  const check = (t: tf.Tensor, what: string): void => {
    const [b, h, len, d] = t.shape as number[];
    if (t.rank !== 4 || (b !== 1 && b !== batch) || h !== c.nKvHeads || len !== P || d !== hd) {
      throw new ShapeError(`${where}: prefixKV ${what} must be [1 or ${batch}, ${c.nKvHeads}, ${P}, ${hd}] (batch, kv heads, prefix, head dim), got [${t.shape.join(', ')}]`);
    }
  };
  p.k.forEach((t, l) => check(t, `k[${l}]`));
  p.v.forEach((t, l) => check(t, `v[${l}]`));
  return P;
}

/** The prefix as a key/value cache of `batch` rows (a prefix shared by the batch is tiled; differentiable). */
export function prefixAsPast(p: PrefixKV, batch: number): { k: tf.Tensor4D[]; v: tf.Tensor4D[] } {
  const rows = (t: tf.Tensor4D): tf.Tensor4D => (t.shape[0] === batch ? t : (tf.tile(t, [batch, 1, 1, 1]) as tf.Tensor4D));
  return { k: p.k.map(rows), v: p.v.map(rows) };
}
