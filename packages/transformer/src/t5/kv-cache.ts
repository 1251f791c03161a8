/**
 * T5 decoding with a key/value cache: per decoder layer the cross-attention keys and values are computed once
 * (the cross prefix in front) and the self-attention keys and values grow by one position per step (the
 * decoder prefix in front), all [B, H, L, dKv]. Beam search reorders the rows with the beams. The model hands
 * in the pieces it computes with ({@link T5DecoderParts}); the result equals re-running the decoder over the
 * whole prefix (tested).
 */
import * as tf from '@tensorflow/tfjs';
import { matMul2d } from '../ops.js';
import type { T5Config } from './config.js';
import { keyMask, layerPrefix } from './masks.js';
import type { T5Prefix } from './model.js';
import { ATTN, ffnIndex, sublayer } from './params.js';
import { positionBias } from './relative-position.js';

/** What the decoding helpers need from a T5 model (its weights by name and its building blocks). */
export interface T5DecoderParts {
  readonly config: T5Config;
  weight(name: string): tf.Tensor2D;
  rms(x: tf.Tensor2D, name: string): tf.Tensor2D;
  ffn(module: string, x: tf.Tensor2D): tf.Tensor2D;
  headLogits(h: tf.Tensor2D): tf.Tensor2D;
  /** Decoder hidden states [B·T, d] of whole decoder inputs (no cache, no dropout). */
  decode(dec: tf.Tensor2D, enc: tf.Tensor2D, encMask: tf.Tensor2D | undefined, B: number, S: number, prefix?: T5Prefix): tf.Tensor2D;
}

/** One decoder layer's cached keys and values, [B, H, L, dKv]. */
interface LayerCache {
  k: tf.Tensor4D;
  v: tf.Tensor4D;
  ck: tf.Tensor4D;
  cv: tf.Tensor4D;
}

export interface DecoderCache {
  layers: LayerCache[];
  /** [B, 1, 1, P + S] cross-attention key mask (padding), when any row is padded. */
  crossBias: tf.Tensor4D | undefined;
  /** Decoder self-attention prefix length. */
  selfP: number;
  /** Decoder positions done. */
  t: number;
  B: number;
}

/** A cache for `B` rows over encoder states [B·S, d]. */
export function startCache(m: T5DecoderParts, enc: tf.Tensor2D, encMask: tf.Tensor2D | undefined, B: number, S: number, prefix?: T5Prefix): DecoderCache {
  const { nHeads: H, dKv } = m.config;
  return tf.tidy(() => {
    // tidy keeps every tensor of the returned container (nested objects included)
    const heads = (x: tf.Tensor2D, w: string) => tf.transpose(tf.reshape(matMul2d(x, m.weight(w)), [B, S, H, dKv]), [0, 2, 1, 3]) as tf.Tensor4D;
    const withPrefix = (p: tf.Tensor4D | undefined, t: tf.Tensor4D) => (p ? (tf.concat([p.shape[0] === B ? p : tf.tile(p, [B, 1, 1, 1]), t], 2) as tf.Tensor4D) : t);
    const empty = () => tf.zeros([B, H, 0, dKv]) as tf.Tensor4D;
    const layers: LayerCache[] = [];
    for (let i = 0; i < m.config.nDecoderLayers; i++) {
      const x = `${sublayer('decoder', i, 1)}.${ATTN.cross}`;
      const cp = layerPrefix(prefix?.cross, i);
      const dp = layerPrefix(prefix?.decoder, i);
      layers.push({
        ck: withPrefix(cp?.k, heads(enc, `${x}.k.weight`)),
        cv: withPrefix(cp?.v, heads(enc, `${x}.v.weight`)),
        k: dp ? withPrefix(dp.k, empty()) : empty(),
        v: dp ? withPrefix(dp.v, empty()) : empty(),
      });
    }
    const crossP = prefix?.cross ? prefix.cross.k[0]!.shape[2] : 0;
    const km = keyMask(encMask);
    const crossBias = km ? (tf.concat([tf.zeros([B, 1, 1, crossP]), km], 3) as tf.Tensor4D) : undefined;
    const selfP = prefix?.decoder ? prefix.decoder.k[0]!.shape[2] : 0;
    const cache: DecoderCache = { layers, crossBias, selfP, t: 0, B };
    return cache as unknown as tf.TensorContainer;
  }) as unknown as DecoderCache;
}

export function disposeCache(c: DecoderCache): void {
  for (const l of c.layers) tf.dispose([l.k, l.v, l.ck, l.cv]);
  if (c.crossBias) c.crossBias.dispose();
}

/** Keep rows `parents` of a cache (beam search's reordering), disposing the old tensors. */
export function reorderCache(c: DecoderCache, parents: readonly number[]): DecoderCache {
  const idx = tf.tensor1d(parents as number[], 'int32');
  const pick = <T extends tf.Tensor>(t: T) => tf.keep(tf.gather(t, idx)) as T;
  const out: DecoderCache = { layers: c.layers.map((l) => ({ k: pick(l.k), v: pick(l.v), ck: pick(l.ck), cv: pick(l.cv) })), crossBias: c.crossBias ? pick(c.crossBias) : undefined, selfP: c.selfP, t: c.t, B: parents.length };
  idx.dispose();
  disposeCache(c);
  return out;
}

/**
 * One decoding step: log-probabilities [B, V] of the next token after `tokens` (one per row, at position
 * `cache.t`); the new self-attention keys and values are appended to the cache.
 */
export function stepCached(m: T5DecoderParts, tokens: readonly number[], cache: DecoderCache): tf.Tensor2D {
  const c = m.config;
  const { nHeads: H, dKv } = c;
  const B = cache.B;
  const t = cache.t;
  const next: LayerCache[] = [];
  const out = tf.tidy(() => {
    let y = tf.gather(m.weight('shared.weight'), tf.tensor1d(tokens as number[], 'int32')) as tf.Tensor2D;
    const pos = positionBias(m.weight(`${sublayer('decoder', 0, 0)}.${ATTN.self}.relative_attention_bias.weight`), 1, t + 1, t, false, c.numBuckets, c.maxDistance);
    const selfBias = tf.reshape(cache.selfP > 0 ? tf.concat([tf.zeros([H, 1, cache.selfP]), pos], 2) : pos, [1, H, 1, cache.selfP + t + 1]);
    const attend = (mod: string, x: tf.Tensor2D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D | undefined) => {
      const q = tf.reshape(matMul2d(x, m.weight(`${mod}.q.weight`)), [B, H, 1, dKv]);
      const L = k.shape[2];
      let sc: tf.Tensor = tf.reshape(tf.matMul(tf.reshape(q, [B * H, 1, dKv]), tf.reshape(k, [B * H, L, dKv]), false, true), [B, H, 1, L]);
      if (bias) sc = tf.add(sc, bias);
      const p = tf.reshape(tf.softmax(sc), [B * H, 1, L]) as tf.Tensor3D;
      const o = tf.reshape(tf.matMul(p, tf.reshape(v, [B * H, L, dKv]) as tf.Tensor3D), [B, H * dKv]) as tf.Tensor2D;
      return matMul2d(o, m.weight(`${mod}.o.weight`));
    };
    for (let i = 0; i < c.nDecoderLayers; i++) {
      const l = cache.layers[i]!;
      const a = `${sublayer('decoder', i, 0)}.${ATTN.self}`;
      const h = m.rms(y, `${sublayer('decoder', i, 0)}.layer_norm.weight`);
      const k = tf.concat([l.k, tf.reshape(matMul2d(h, m.weight(`${a}.k.weight`)), [B, H, 1, dKv])], 2) as tf.Tensor4D;
      const v = tf.concat([l.v, tf.reshape(matMul2d(h, m.weight(`${a}.v.weight`)), [B, H, 1, dKv])], 2) as tf.Tensor4D;
      next.push({ k: tf.keep(k), v: tf.keep(v), ck: l.ck, cv: l.cv });
      y = tf.add(y, attend(a, h, k, v, selfBias as tf.Tensor4D));
      const x = sublayer('decoder', i, 1);
      y = tf.add(y, attend(`${x}.${ATTN.cross}`, m.rms(y, `${x}.layer_norm.weight`), l.ck, l.cv, cache.crossBias));
      const f = sublayer('decoder', i, ffnIndex('decoder'));
      y = tf.add(y, m.ffn(f, m.rms(y, `${f}.layer_norm.weight`)));
    }
    let h = m.rms(y, 'decoder.final_layer_norm.weight');
    if (c.tieEmbeddings) h = tf.mul(h, c.dModel ** -0.5) as tf.Tensor2D;
    return tf.logSoftmax(m.headLogits(h)) as tf.Tensor2D;
  });
  cache.layers.forEach((l, i) => {
    tf.dispose([l.k, l.v]);
    cache.layers[i] = next[i]!;
  });
  cache.t = t + 1;
  return out;
}
