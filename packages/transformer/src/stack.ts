/**
 * The decoder stack on 2-D activations: position embeddings (GPT-2) or RoPE (Llama), then per block
 * norm → attention (fused / blocked / batched, see attend.ts) → residual → norm → MLP → residual, and the
 * final norm. The model's weights come in as {@link StackParts}.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@xrec/core';
import { attend, expandKv, planAttention } from './attend.js';
import { archSpec } from './arch/index.js';
import type { TransformerConfig } from './config.js';
import type { AttentionMode, KvCache, StackInput } from './decoder.js';
import type { Linear } from './linear.js';
import { geluTanh, silu } from './ops.js';
import { applyRope, ropeTables, type RopeTables } from './rope.js';

export interface Block {
  norm1: [tf.Variable, tf.Variable | undefined];
  norm2: [tf.Variable, tf.Variable | undefined];
  /** gpt2: [c_attn]; llama: [q, k, v] */
  qkv: Linear[];
  out: Linear;
  /** gpt2: [c_fc]; llama: [gate, up] */
  mlpIn: Linear[];
  mlpOut: Linear;
}

/** What the stack needs of a model. */
export interface StackParts {
  readonly config: TransformerConfig;
  readonly blocks: readonly Block[];
  readonly wpe: tf.Variable | undefined;
  readonly finalNorm: [tf.Variable, tf.Variable | undefined];
  readonly attentionMode: AttentionMode;
  norm(x: tf.Tensor2D, w: [tf.Variable, tf.Variable | undefined]): tf.Tensor2D;
  dropout<T extends tf.Tensor>(x: T, training: boolean): T;
}

/**
 * The transformer stack on 2-D activations. Returns the final-norm hidden states [B·S, d] and each layer's
 * full keys/values (past + current) for caching. Used by forward, loss and generation.
 */
export function runStack(parts: StackParts, inp: StackInput): { hidden: tf.Tensor2D; cache: KvCache } {
  const c = parts.config;
  const drop = <T extends tf.Tensor>(x: T): T => parts.dropout(x, inp.training);
  const { batch: B, seq: S, training } = inp;
  const d = c.dModel;
  const H = c.nHeads;
  const Hkv = c.nKvHeads;
  const hd = d / H;
  const N = B * S;
  const pastLen = inp.past && inp.past.k.length > 0 ? inp.past.k[0]!.shape[2] : 0;
  const Sk = pastLen + S;
  if (inp.keyValid.length !== B * Sk) {
    throw new ShapeError(`runStack: keyValid has ${inp.keyValid.length} entries, expected batch ${B} x keys ${Sk}`);
  }
  let x = inp.x;
  if (parts.wpe) {
    for (let i = 0; i < inp.positions.length; i++) {
      if (inp.positions[i]! >= c.contextLength) {
        throw new ShapeError(`forward: position ${inp.positions[i]} exceeds contextLength ${c.contextLength}`);
      }
    }
    x = tf.add(x, tf.gather(parts.wpe, tf.tensor1d(inp.positions, 'int32'))) as tf.Tensor2D;
  }
  x = parts.dropout(x, training);
  const plan = planAttention(c, parts.attentionMode, { B, S, pastLen, keyValid: inp.keyValid, dropoutActive: training && c.dropout > 0 });
  let ropeQ: RopeTables | undefined;
  let ropeK: RopeTables | undefined;
  if (archSpec(c.arch).rope) {
    ropeQ = ropeTables(inp.positions, H, hd, c.ropeTheta);
    ropeK = Hkv === H ? ropeQ : ropeTables(inp.positions, Hkv, hd, c.ropeTheta);
  }
  const scale = 1 / Math.sqrt(hd);
  const cache: KvCache = { k: [], v: [] };
  for (let l = 0; l < parts.blocks.length; l++) {
    const blk = parts.blocks[l]!;
    const h = parts.norm(x, blk.norm1);
    let q2: tf.Tensor2D;
    let k2: tf.Tensor2D;
    let v2: tf.Tensor2D;
    if (blk.qkv.length === 1) {
      [q2, k2, v2] = tf.split(blk.qkv[0]!.apply(h, training), 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]; // 3 x [N, d]
    } else {
      q2 = blk.qkv[0]!.apply(h, training); // [N, H·hd]
      k2 = blk.qkv[1]!.apply(h, training); // [N, Hkv·hd]
      v2 = blk.qkv[2]!.apply(h, training);
    }
    if (ropeQ && ropeK) {
      q2 = applyRope(q2, ropeQ, H, hd);
      k2 = applyRope(k2, ropeK, Hkv, hd);
    }
    q2 = tf.mul(q2, scale);
    const q = tf.reshape(tf.transpose(tf.reshape(q2, [B, S, H, hd]), [0, 2, 1, 3]), [B * H, S, hd]) as tf.Tensor3D;
    let k = tf.transpose(tf.reshape(k2, [B, S, Hkv, hd]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, Hkv, S, hd]
    let v = tf.transpose(tf.reshape(v2, [B, S, Hkv, hd]), [0, 2, 1, 3]) as tf.Tensor4D;
    if (pastLen > 0) {
      k = tf.concat([inp.past!.k[l]!, k], 2); // [B, Hkv, Sk, hd]
      v = tf.concat([inp.past!.v[l]!, v], 2);
    }
    cache.k.push(k);
    cache.v.push(v);
    const kf = expandKv(c, k, B, Sk); // [B·H, Sk, hd]
    const vf = expandKv(c, v, B, Sk);
    const o = attend(plan, q, kf, vf, drop); // [B·H, S, hd]
    const o2 = tf.reshape(tf.transpose(tf.reshape(o, [B, H, S, hd]), [0, 2, 1, 3]), [N, d]) as tf.Tensor2D;
    x = tf.add(x, parts.dropout(blk.out.apply(o2, training), training));
    const h2 = parts.norm(x, blk.norm2);
    let m: tf.Tensor2D;
    if (blk.mlpIn.length === 1) {
      m = geluTanh(blk.mlpIn[0]!.apply(h2, training)); // [N, dFF]
    } else {
      m = tf.mul(silu(blk.mlpIn[0]!.apply(h2, training)), blk.mlpIn[1]!.apply(h2, training)); // SwiGLU [N, dFF]
    }
    x = tf.add(x, parts.dropout(blk.mlpOut.apply(m, training), training));
  }
  return { hidden: parts.norm(x, parts.finalNorm), cache };
}
