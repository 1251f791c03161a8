/**
 * The transformer stack on 2-D activations: position embeddings (GPT-2, BERT: plus token-type row 0 and an
 * embedding LayerNorm) or RoPE (Llama), then per block — pre-norm: norm → attention (fused / blocked /
 * batched, see attend.ts) → residual → norm → MLP → residual, and a final norm; post-norm (BERT): attention
 * → residual → norm → MLP → residual → norm. The model's weights come in as {@link StackParts}.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@xrec/core';
import { attend, expandKv, planAttention } from './attend.js';
import { archSpec } from './arch/index.js';
import type { TransformerConfig } from './config.js';
import type { AttentionMode, KvCache, StackInput } from './decoder.js';
import type { Linear } from './linear.js';
import { geluErf, geluTanh, silu } from './ops.js';
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
  /** Token-type embeddings [types, d] (row 0 is added to every position). */
  readonly typeEmb?: tf.Variable | undefined;
  readonly embNorm?: [tf.Variable, tf.Variable | undefined] | undefined;
  readonly finalNorm: [tf.Variable, tf.Variable | undefined] | undefined;
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
    const off = c.positionOffset;
    const pos = off === 0 ? inp.positions : inp.positions.map((p) => p + off);
    for (let i = 0; i < pos.length; i++) {
      if (pos[i]! >= c.contextLength) {
        throw new ShapeError(`forward: position ${pos[i]}${off ? ` (offset ${off})` : ''} exceeds contextLength ${c.contextLength}`);
      }
    }
    x = tf.add(x, tf.gather(parts.wpe, tf.tensor1d(pos, 'int32'))) as tf.Tensor2D;
  }
  if (parts.typeEmb) x = tf.add(x, tf.slice(parts.typeEmb, [0, 0], [1, d])) as tf.Tensor2D; // every input is segment 0
  if (parts.embNorm) x = parts.norm(x, parts.embNorm);
  x = parts.dropout(x, training);
  const post = archSpec(c.arch).placement === 'post';
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
    const h = post ? x : parts.norm(x, blk.norm1);
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
    if (post) x = parts.norm(x, blk.norm1);
    const h2 = post ? x : parts.norm(x, blk.norm2);
    let m: tf.Tensor2D;
    if (blk.mlpIn.length === 1) {
      const a = blk.mlpIn[0]!.apply(h2, training); // [N, dFF]
      m = c.hiddenAct === 'gelu' ? geluErf(a) : geluTanh(a);
    } else {
      m = tf.mul(silu(blk.mlpIn[0]!.apply(h2, training)), blk.mlpIn[1]!.apply(h2, training)); // SwiGLU [N, dFF]
    }
    x = tf.add(x, parts.dropout(blk.mlpOut.apply(m, training), training));
    if (post) x = parts.norm(x, blk.norm2);
  }
  return { hidden: parts.finalNorm ? parts.norm(x, parts.finalNorm) : x, cache };
}
