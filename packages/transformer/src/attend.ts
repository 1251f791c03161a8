/**
 * The attention paths of the stack (q pre-scaled by 1/√hd): batched per-head matmuls, or one 2-D product per
 * batch row over all heads (the blocked form); the fused per-(row, head) op is in attention.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedAttention } from './attention.js';
import type { TransformerConfig } from './config.js';
import type { AttentionMode } from './decoder.js';
import { MASKED_SOFTMAX_KERNEL } from './kernels/masked-softmax.js';
import { attentionMask, blockedMask } from './masks.js';
import { hasFusedKernel, matMul2d, matMulBT } from './ops.js';

/** Dropout as the model applies it (seeded, training only). */
export type Dropout = <T extends tf.Tensor>(x: T) => T;

/** Use the blocked (per batch row, all heads) attention for at most this many heads ... */
export const BLOCKED_MAX_HEADS = 4;
/** ... and at most this many rows H·S per batch row. */
export const BLOCKED_MAX_ROWS = 512;


/**
 * `tf.unstack` along axis 0, except that one row is a reshape: tfjs's gradient of a one-output Unpack hands
 * `stack` a lone tensor and throws ("Argument tensors passed to stack must be a Tensor[]"), which crashed
 * training on a last batch of one window with dropout on.
 */
export function unstackRows(x: tf.Tensor): tf.Tensor[] {
  return x.shape[0] === 1 ? [tf.reshape(x, x.shape.slice(1))] : tf.unstack(x);
}

/** `tf.stack` along axis 0 (one tensor: a reshape, see {@link unstackRows}). */
export function stackRows(xs: tf.Tensor[]): tf.Tensor {
  return xs.length === 1 ? tf.reshape(xs[0]!, [1, ...xs[0]!.shape]) : tf.stack(xs);
}

/** softmax(q kᵀ + mask) v with batched [B·H, S, ·] matmuls. q is pre-scaled. */
export function attendBatched(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, mask: tf.Tensor | undefined, drop: Dropout): tf.Tensor3D {
  let scores = tf.matMul(q, k, false, true); // [B·H, S, Sk]
  if (mask) scores = tf.add(scores, mask);
  const probs = drop(tf.softmax(scores));
  return tf.matMul(probs, v); // [B·H, S, hd]
}

/**
 * The same attention as one 2-D product per batch row: rows r = h·S + s of [H·S, hd]; the mask blocks
 * cross-head pairs, so softmax and P·V act per head. q, k, v: [B·H, S, hd] -> [B·H, S, hd].
 */
export function attendBlocked(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, mask: tf.Tensor, B: number, HS: number, drop: Dropout): tf.Tensor3D {
  const hd = q.shape[2];
  const qs = unstackRows(tf.reshape(q, [B, HS, hd])) as tf.Tensor2D[]; // B x [H·S, hd]
  const ks = unstackRows(tf.reshape(k, [B, HS, hd])) as tf.Tensor2D[];
  const vs = unstackRows(tf.reshape(v, [B, HS, hd])) as tf.Tensor2D[];
  const scores = tf.add(stackRows(qs.map((qb, b) => matMulBT(qb, ks[b]!))), mask); // [B, H·S, H·S]
  const probs = unstackRows(drop(tf.softmax(scores))) as tf.Tensor2D[];
  const o = stackRows(probs.map((pb, b) => matMul2d(pb, vs[b]!))); // [B, H·S, hd]
  return tf.reshape(o, q.shape);
}

/** [B, Hkv, Sk, hd] -> [B·H, Sk, hd], query head h reading KV head ⌊h / (H/Hkv)⌋. */
export function expandKv(c: TransformerConfig, k: tf.Tensor4D, B: number, Sk: number): tf.Tensor3D {
  const { nHeads: H, nKvHeads: Hkv } = c;
  const hd = c.dModel / H;
  if (H === Hkv) return tf.reshape(k, [B * H, Sk, hd]);
  const g = H / Hkv;
  return tf.reshape(tf.tile(tf.reshape(k, [B * Hkv, 1, Sk * hd]), [1, g, 1]), [B * H, Sk, hd]); // rank-3 tile (has a gradient)
}

/** Which attention path a pass takes, with its mask (decided once per pass, used by every layer). */
export type AttentionPlan =
  | { readonly kind: 'fused'; readonly mask: tf.Tensor }
  | { readonly kind: 'blocked'; readonly mask: tf.Tensor; readonly B: number; readonly HS: number }
  | { readonly kind: 'batched'; readonly mask: tf.Tensor | undefined };

/**
 * Choose the attention path. Without a cache, attention runs as one fused op with a 2-D matmul per (batch
 * row, head) where the fused kernels exist and no attention dropout applies (attention.ts). Otherwise, with
 * few heads, as one 2-D matmul per batch row over all heads at once ([H·S, hd] x [hd, H·S], cross-head blocks
 * masked out): H-fold more multiply-adds than per-head products, but 2-D matmuls are ~5x faster than batched
 * 3-D ones on wasm. Else batched per-head matmuls (and always with a cache or `attentionMode: 'batched'`).
 */
export function planAttention(c: TransformerConfig, mode: AttentionMode, p: { B: number; S: number; pastLen: number; keyValid: Uint8Array; dropoutActive: boolean }): AttentionPlan {
  const H = c.nHeads;
  const uncached = mode === 'auto' && p.pastLen === 0;
  if (uncached && !p.dropoutActive && hasFusedKernel(MASKED_SOFTMAX_KERNEL)) {
    return { kind: 'fused', mask: attentionMask(c, p.B, p.S, 0, p.keyValid) ?? tf.zeros([p.S, p.S]) };
  }
  if (uncached && H > 1 && H <= BLOCKED_MAX_HEADS && H * p.S <= BLOCKED_MAX_ROWS) {
    return { kind: 'blocked', mask: blockedMask(c, p.B, p.S, p.keyValid), B: p.B, HS: H * p.S };
  }
  return { kind: 'batched', mask: attentionMask(c, p.B, p.S, p.pastLen, p.keyValid) };
}

/** softmax(q kᵀ + mask) v by the planned path; q is pre-scaled; q [B·H, S, hd], k, v [B·H, Sk, hd]. */
export function attend(plan: AttentionPlan, q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, drop: Dropout): tf.Tensor3D {
  if (plan.kind === 'fused') return fusedAttention(q, k, v, plan.mask);
  if (plan.kind === 'blocked') return attendBlocked(q, k, v, plan.mask, plan.B, plan.HS, drop);
  return attendBatched(q, k, v, plan.mask, drop);
}
