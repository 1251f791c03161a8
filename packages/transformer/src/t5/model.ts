/**
 * A T5 encoder–decoder (Raffel et al. 2020) with Hugging Face parameter names:
 *
 *   encoder: x = E[ids]; per block x += SelfAttn(RMS(x), bias_enc); x += FFN(RMS(x)); h = RMS_final(x)
 *   decoder: y = E[dec]; per block y += SelfAttn(RMS(y), bias_dec + causal); y += CrossAttn(RMS(y), h);
 *            y += FFN(RMS(y)); logits = RMS_final(y) · d^-0.5 Eᵀ (tied) or RMS_final(y) W_lm
 *
 * Attention scores are q·kᵀ without 1/√d_kv (T5 folds it into the init) plus a relative position bias from
 * one table per stack (bidirectional buckets in the encoder, causal in the decoder; none in cross-attention);
 * padded keys are masked. Activations run as 2-D [B·S, d] matmuls, as in the decoder-only models.
 */
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ConfigError, Rng, ShapeError } from '@xrec/core';
import { matMul2d, matMulBT, outputCrossEntropy, geluTanh, rmsNorm } from '../ops.js';
import { resolveT5Config, type T5Config } from './config.js';
import { ATTN, ffnIndex, sublayer, t5ParameterSpecs, type StackName, type T5ParamSpec } from './params.js';
import { positionBias } from './relative-position.js';
import type { PrefixKV } from '../prefix-kv.js';
import { beamSearchOver, type BeamHypothesis, type BeamSearchOptions } from './beam-search.js';
import { disposeCache, startCache, stepCached, type T5DecoderParts } from './kv-cache.js';
import { keyMask, layerPrefix, NEG } from './masks.js';

/**
 * Per-layer key/value prefixes for the three attentions (prefix tuning; UP5's fairness prompts): each a
 * {@link PrefixKV} of [1 or B, nHeads, P, dKv] tensors, one per layer of its stack. Every query attends to the
 * prefix positions, which carry no relative position bias; gradients flow into them.
 */
export interface T5Prefix {
  readonly encoder?: PrefixKV;
  readonly decoder?: PrefixKV;
  readonly cross?: PrefixKV;
}

export interface T5Input {
  /** int32 [B, S] encoder input ids. */
  readonly inputIds: tf.Tensor2D;
  /** [B, S], 1 = token, 0 = padding (default: all tokens). */
  readonly attentionMask?: tf.Tensor2D;
  readonly training?: boolean;
  readonly dropoutSeed?: number;
  readonly prefix?: T5Prefix;
  /** int32 [B, S] word index of each input token (P5's whole-word ids; 0 = none); needs `config.wholeWordEmbeddings`. */
  readonly wholeWordIds?: tf.Tensor2D;
}

/** One encoder input row for the decoding helpers: token ids, optionally with their whole-word ids. */
export type T5Row = readonly number[] | { readonly ids: readonly number[]; readonly wholeWordIds?: readonly number[] };

export type T5Weights = Map<string, { readonly shape: readonly number[]; readonly values: Float32Array }>;

export class T5Model {
  readonly config: T5Config;
  private readonly params = new Map<string, tf.Variable>();
  private dropoutRng: Rng;
  private disposed = false;

  private constructor(config: T5Config, init: (s: T5ParamSpec) => tf.Tensor, rng: Rng) {
    this.config = config;
    this.dropoutRng = rng.fork('dropout');
    for (const s of t5ParameterSpecs(config)) {
      const t = init(s);
      this.params.set(s.name, tf.variable(t, true));
      t.dispose();
    }
  }

  /** Random init as Hugging Face's `T5PreTrainedModel._init_weights` (factor 1); norms 1. */
  static create(config: Partial<T5Config>, rng: Rng): T5Model {
    const c = resolveT5Config(config);
    const r = rng.fork('init');
    return new T5Model(c, (s) => (s.std === 0 ? tf.ones(s.shape as number[]) : tf.randomNormal(s.shape as number[], 0, s.std, 'float32', r.nextSeed())), rng);
  }

  /** A model from compute-layout weights; every parameter must be present with its shape (CheckpointError otherwise). */
  static fromWeights(config: Partial<T5Config>, weights: T5Weights, where = 'weights'): T5Model {
    const c = resolveT5Config(config);
    for (const s of t5ParameterSpecs(c)) {
      const w = weights.get(s.name);
      if (!w) throw new CheckpointError(`${where}: missing tensor '${s.name}' (expected [${s.shape.join(', ')}])`);
      if (w.shape.length !== s.shape.length || w.shape.some((x, i) => x !== s.shape[i])) {
        throw new CheckpointError(`${where}: tensor '${s.name}' has shape [${w.shape.join(', ')}] but the config expects [${s.shape.join(', ')}] (compute layout)`);
      }
    }
    return new T5Model(c, (s) => tf.tensor(weights.get(s.name)!.values, s.shape as number[], 'float32'), new Rng(0));
  }

  parameters(): Map<string, tf.Variable> {
    return new Map(this.params);
  }

  numParameters(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  private P(name: string): tf.Tensor2D {
    return this.params.get(name)! as unknown as tf.Tensor2D;
  }

  private drop<T extends tf.Tensor>(x: T, training: boolean): T {
    const p = this.config.dropout;
    return training && p > 0 ? (tf.dropout(x, p, undefined, this.dropoutRng.nextSeed()) as T) : x;
  }

  private rms(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return rmsNorm(x, this.params.get(name)! as unknown as tf.Tensor1D, this.config.normEps);
  }

  /** Multi-head attention of 2-D queries [B·Sq, d] over keys/values [B·Sk, d]; `bias` [B·H or 1, Sq, Sk]. */
  private attend(m: string, xq: tf.Tensor2D, xkv: tf.Tensor2D, B: number, Sq: number, Sk: number, bias: tf.Tensor3D, training: boolean, pre?: { k: tf.Tensor4D; v: tf.Tensor4D }): tf.Tensor2D {
    const { nHeads: H, dKv } = this.config;
    const heads = (x: tf.Tensor2D, w: string, S: number) => tf.reshape(tf.transpose(tf.reshape(matMul2d(x, this.P(`${m}.${w}.weight`)), [B, S, H, dKv]), [0, 2, 1, 3]), [B * H, S, dKv]) as tf.Tensor3D;
    const q = heads(xq, 'q', Sq);
    let k = heads(xkv, 'k', Sk);
    let v = heads(xkv, 'v', Sk);
    let b: tf.Tensor3D = bias;
    if (pre) {
      const P = pre.k.shape[2];
      const rows = (t: tf.Tensor4D) => tf.reshape(t.shape[0] === B ? t : tf.tile(t, [B, 1, 1, 1]), [B * H, P, dKv]) as tf.Tensor3D;
      k = tf.concat([rows(pre.k), k], 1);
      v = tf.concat([rows(pre.v), v], 1);
      b = tf.concat([tf.zeros([bias.shape[0], Sq, P]), bias], 2); // the prefix is always attended, without a position bias
    }
    const p = this.drop(tf.softmax(tf.add(tf.matMul(q, k, false, true), b)), training);
    const o = tf.reshape(tf.transpose(tf.reshape(tf.matMul(p, v), [B, H, Sq, dKv]), [0, 2, 1, 3]), [B * Sq, H * dKv]) as tf.Tensor2D;
    return matMul2d(o, this.P(`${m}.o.weight`));
  }

  private ffn(m: string, x: tf.Tensor2D): tf.Tensor2D {
    const w = (n: string) => this.P(`${m}.DenseReluDense.${n}.weight`);
    const h = this.config.ffn === 'relu' ? tf.relu(matMul2d(x, w('wi'))) : tf.mul(geluTanh(matMul2d(x, w('wi_0'))), matMul2d(x, w('wi_1')));
    return matMul2d(h as tf.Tensor2D, w('wo'));
  }

  /** [H, Sq, Sk] position bias (+ causal) and [B,1,1,Sk] key mask → [B·H, Sq, Sk]. */
  private static fullBias(pos: tf.Tensor3D | undefined, km: tf.Tensor4D | undefined, B: number, H: number, Sq: number, Sk: number): tf.Tensor3D {
    let b: tf.Tensor = pos ? tf.reshape(pos, [1, H, Sq, Sk]) : tf.zeros([1, 1, Sq, Sk]);
    if (km) b = tf.add(b, km);
    return tf.reshape(tf.add(b, tf.zeros([B, H, Sq, Sk])), [B * H, Sq, Sk]) as tf.Tensor3D;
  }

  /** Encoder output [B, S, d] (after the final RMS norm). */
  encode(input: T5Input): tf.Tensor3D {
    const [B, S] = this.check(input.inputIds, input.attentionMask, 'encode', input.prefix, input.wholeWordIds);
    if (input.dropoutSeed !== undefined) this.dropoutRng = new Rng(input.dropoutSeed);
    return tf.tidy(() => tf.reshape(this.encode2d(input, B, S), [B, S, this.config.dModel]) as tf.Tensor3D);
  }

  private encode2d(input: T5Input, B: number, S: number): tf.Tensor2D {
    const c = this.config;
    const training = input.training ?? false;
    let e = tf.gather(this.P('shared.weight'), tf.reshape(input.inputIds, [B * S])) as tf.Tensor2D;
    if (input.wholeWordIds) e = tf.add(e, tf.gather(this.P('encoder.whole_word_embeddings.weight'), tf.reshape(input.wholeWordIds, [B * S])));
    let x = this.drop(e, training);
    const pos = positionBias(this.P(`${sublayer('encoder', 0, 0)}.${ATTN.self}.relative_attention_bias.weight`), S, S, 0, true, c.numBuckets, c.maxDistance);
    const bias = T5Model.fullBias(pos, keyMask(input.attentionMask), B, c.nHeads, S, S);
    for (let i = 0; i < c.nLayers; i++) {
      const a = sublayer('encoder', i, 0);
      const h = this.rms(x, `${a}.layer_norm.weight`);
      x = tf.add(x, this.drop(this.attend(`${a}.${ATTN.self}`, h, h, B, S, S, bias, training, layerPrefix(input.prefix?.encoder, i)), training));
      const f = sublayer('encoder', i, ffnIndex('encoder'));
      x = tf.add(x, this.drop(this.ffn(f, this.rms(x, `${f}.layer_norm.weight`)), training));
    }
    return this.drop(this.rms(x, 'encoder.final_layer_norm.weight'), training);
  }

  /** Decoder hidden states [B·T, d] (after the final norm, before the head) for decoder inputs over an encoding. */
  private decode2d(decIds: tf.Tensor2D, enc: tf.Tensor2D, encMask: tf.Tensor2D | undefined, B: number, S: number, training: boolean, prefix?: T5Prefix): tf.Tensor2D {
    const c = this.config;
    const T = decIds.shape[1];
    let y = this.drop(tf.gather(this.P('shared.weight'), tf.reshape(decIds, [B * T])) as tf.Tensor2D, training);
    const causal = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) causal[i * T + j] = NEG;
    const pos = tf.add(positionBias(this.P(`${sublayer('decoder', 0, 0)}.${ATTN.self}.relative_attention_bias.weight`), T, T, 0, false, c.numBuckets, c.maxDistance), tf.tensor3d(causal, [1, T, T])) as tf.Tensor3D;
    const selfBias = T5Model.fullBias(pos, undefined, B, c.nHeads, T, T);
    const crossBias = T5Model.fullBias(undefined, keyMask(encMask), B, c.nHeads, T, S);
    for (let i = 0; i < c.nDecoderLayers; i++) {
      const a = sublayer('decoder', i, 0);
      const h = this.rms(y, `${a}.layer_norm.weight`);
      y = tf.add(y, this.drop(this.attend(`${a}.${ATTN.self}`, h, h, B, T, T, selfBias, training, layerPrefix(prefix?.decoder, i)), training));
      const x = sublayer('decoder', i, 1);
      y = tf.add(y, this.drop(this.attend(`${x}.${ATTN.cross}`, this.rms(y, `${x}.layer_norm.weight`), enc, B, T, S, crossBias, training, layerPrefix(prefix?.cross, i)), training));
      const f = sublayer('decoder', i, ffnIndex('decoder'));
      y = tf.add(y, this.drop(this.ffn(f, this.rms(y, `${f}.layer_norm.weight`)), training));
    }
    const h = this.drop(this.rms(y, 'decoder.final_layer_norm.weight'), training);
    return c.tieEmbeddings ? (tf.mul(h, c.dModel ** -0.5) as tf.Tensor2D) : h;
  }

  private headLogits(h: tf.Tensor2D): tf.Tensor2D {
    return this.config.tieEmbeddings ? matMulBT(h, this.P('shared.weight')) : matMul2d(h, this.P('lm_head.weight'));
  }

  /** Logits [B, T, V] of decoder inputs [B, T] given the encoder input. */
  forward(input: T5Input & { decoderInputIds: tf.Tensor2D }): tf.Tensor3D {
    const [B, S] = this.check(input.inputIds, input.attentionMask, 'forward', input.prefix, input.wholeWordIds);
    const dec = input.decoderInputIds;
    if (dec.rank !== 2 || dec.shape[0] !== B || dec.dtype !== 'int32') throw new ShapeError(`forward: decoderInputIds must be int32 [${B}, T], got ${dec.dtype} [${dec.shape.join(', ')}]`);
    if (input.dropoutSeed !== undefined) this.dropoutRng = new Rng(input.dropoutSeed);
    const training = input.training ?? false;
    return tf.tidy(() => {
      const enc = this.encode2d(input, B, S);
      const h = this.decode2d(dec, enc, input.attentionMask, B, S, training, input.prefix);
      return tf.reshape(this.headLogits(h), [B, dec.shape[1], this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  /** Decoder inputs of labels [B, T]: the start id, then the labels shifted right (−100 → pad), as HF's `_shift_right`. */
  shiftRight(labels: ArrayLike<number>, B: number, T: number): Int32Array {
    const out = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      out[b * T] = this.config.decoderStartId;
      for (let t = 1; t < T; t++) {
        const l = labels[b * T + t - 1]!;
        out[b * T + t] = l === -100 ? this.config.padId : l;
      }
    }
    return out;
  }

  /** Mean cross-entropy of `labels` [B, T] (−100 = ignored) with teacher forcing; only scored rows reach the head. */
  loss(input: T5Input & { labels: tf.Tensor2D }): tf.Scalar {
    const [B, S] = this.check(input.inputIds, input.attentionMask, 'loss', input.prefix, input.wholeWordIds);
    const { labels } = input;
    if (labels.rank !== 2 || labels.shape[0] !== B) throw new ShapeError(`loss: labels must be [${B}, T], got [${labels.shape.join(', ')}]`);
    const T = labels.shape[1];
    const lab = labels.dataSync();
    if (input.dropoutSeed !== undefined) this.dropoutRng = new Rng(input.dropoutSeed);
    const training = input.training ?? false;
    const keep: number[] = [];
    for (let i = 0; i < lab.length; i++) if (lab[i] !== -100) keep.push(i);
    return tf.tidy(() => {
      const enc = this.encode2d(input, B, S);
      const dec = tf.tensor2d(this.shiftRight(lab, B, T), [B, T], 'int32');
      const h = this.decode2d(dec, enc, input.attentionMask, B, S, training, input.prefix);
      if (keep.length === 0) return tf.mul(tf.sum(h), 0) as tf.Scalar;
      const kept = tf.gather(h, tf.tensor1d(keep, 'int32')) as tf.Tensor2D;
      const w = this.config.tieEmbeddings ? this.P('shared.weight') : this.P('lm_head.weight');
      return outputCrossEntropy(kept, w, this.config.tieEmbeddings ? 'vd' : 'dv', keep.map((i) => lab[i]!));
    });
  }

  /** Greedy decoding of each input row (EOS ends a row; EOS is not returned). */
  generate(o: { inputIds: readonly (readonly number[])[]; maxNewTokens: number; /** Reuse keys and values across steps (default true). */ cache?: boolean }): number[][] {
    if (this.disposed) throw new ConfigError('generate: the model has been disposed');
    const rows = o.inputIds;
    const S = Math.max(...rows.map((r) => r.length));
    const B = rows.length;
    const ids = new Int32Array(B * S).fill(this.config.padId);
    const mask = new Int32Array(B * S);
    rows.forEach((r, b) => {
      ids.set(r, b * S);
      mask.fill(1, b * S, b * S + r.length);
    });
    const inputIds = tf.tensor2d(ids, [B, S], 'int32');
    const attentionMask = tf.tensor2d(mask, [B, S], 'int32');
    const enc = tf.tidy(() => this.encode2d({ inputIds, attentionMask }, B, S));
    const out: number[][] = rows.map(() => []);
    const done = rows.map(() => false);
    const seqs: number[][] = rows.map(() => [this.config.decoderStartId]);
    const cache = o.cache === false ? undefined : startCache(this.parts(), enc, attentionMask, B, S);
    for (let step = 0; step < o.maxNewTokens && done.some((d) => !d); step++) {
      const T = seqs[0]!.length;
      const next = cache
        ? tf.tidy(() => tf.argMax(stepCached(this.parts(), seqs.map((q) => q[q.length - 1]!), cache), 1).dataSync())
        : tf.tidy(() => {
        const dec = tf.tensor2d(seqs.flat(), [B, T], 'int32');
        const h = this.decode2d(dec, enc, attentionMask, B, S, false);
        const last = tf.gather(h, tf.tensor1d(rows.map((_, b) => b * T + T - 1), 'int32')) as tf.Tensor2D;
        return tf.argMax(this.headLogits(last), 1).dataSync();
      });
      rows.forEach((_, b) => {
        const t = next[b]!;
        seqs[b]!.push(done[b] ? this.config.padId : t);
        if (done[b]) return;
        if (t === this.config.eosId) done[b] = true;
        else out[b]!.push(t);
      });
    }
    tf.dispose([inputIds, attentionMask, enc]);
    if (cache) disposeCache(cache);
    return out;
  }

  /** Encoder states [1·S, d] of one row (no padding) and its mask, for the decoding helpers below. */
  private encodeRow(input: T5Row, prefix: T5Prefix | undefined, where: string): { enc: tf.Tensor2D; mask: tf.Tensor2D; S: number } {
    const row = Array.isArray(input) ? (input as readonly number[]) : (input as { ids: readonly number[] }).ids;
    const ww = Array.isArray(input) ? undefined : (input as { wholeWordIds?: readonly number[] }).wholeWordIds;
    if (row.length === 0) throw new ShapeError(`${where}: an empty input row`);
    const S = row.length;
    return tf.tidy(() => {
      const inputIds = tf.tensor2d([row as number[]], [1, S], 'int32');
      const wholeWordIds = ww ? tf.tensor2d([ww as number[]], [1, ww.length], 'int32') : undefined;
      this.check(inputIds, undefined, where, prefix, wholeWordIds);
      const enc = this.encode2d({ inputIds, ...(prefix ? { prefix } : {}), ...(wholeWordIds ? { wholeWordIds } : {}) }, 1, S);
      return { enc, mask: tf.ones([1, S], 'int32') as tf.Tensor2D, S };
    });
  }

  /** log p(target | input) per target (natural log, summed over the target's tokens; targets usually end with EOS). */
  sequenceLogLikelihood(input: T5Row, targets: readonly (readonly number[])[], prefix?: T5Prefix): number[] {
    if (targets.length === 0) return [];
    const { enc, mask, S } = this.encodeRow(input, prefix, 'sequenceLogLikelihood');
    try {
      const B = targets.length;
      const T = Math.max(...targets.map((t) => t.length));
      const labels = new Int32Array(B * T).fill(-100);
      targets.forEach((t, b) => labels.set(t, b * T));
      return tf.tidy(() => {
        const dec = tf.tensor2d(this.shiftRight(labels, B, T), [B, T], 'int32');
        const encB = tf.tile(enc, [B, 1]) as tf.Tensor2D;
        const maskB = tf.tile(mask, [B, 1]) as tf.Tensor2D;
        const lp = tf.logSoftmax(this.headLogits(this.decode2d(dec, encB, maskB, B, S, false, prefix))).arraySync() as number[][];
        return targets.map((t, b) => t.reduce((a, y, k) => a + lp[b * T + k]![y]!, 0));
      });
    } finally {
      tf.dispose([enc, mask]);
    }
  }

  /**
   * Beam search for one input row: `beams` hypotheses ranked by their summed log-probability (no length
   * normalisation, so the ranking of complete sequences is their log-likelihood ranking); `allowed(prefix)`
   * constrains each step (e.g. a {@link PrefixTrie} of valid item ids; an empty list ends the hypothesis).
   * Returns the finished hypotheses (EOS included when generated), best first. See beam-search.ts.
   */
  beamSearch(o: BeamSearchOptions): BeamHypothesis[] {
    if (!Number.isInteger(o.beams) || o.beams < 1) throw new ConfigError(`beamSearch: beams must be a positive integer, got ${o.beams}`);
    const { enc, mask, S } = this.encodeRow(o.input, o.prefix, 'beamSearch');
    try {
      return beamSearchOver(this.parts(), enc, mask, S, o);
    } finally {
      tf.dispose([enc, mask]);
    }
  }

  /** The pieces of this model the decoding helpers (kv-cache.ts, beam-search.ts) compute with. */
  private parts(): T5DecoderParts {
    return {
      config: this.config,
      weight: (n) => this.P(n),
      rms: (x, n) => this.rms(x, n),
      ffn: (m, x) => this.ffn(m, x),
      headLogits: (h) => this.headLogits(h),
      decode: (dec, enc, mask, B, S, prefix) => this.decode2d(dec, enc, mask, B, S, false, prefix),
    };
  }

  /** Each prefix must hold one [1 or B, nHeads, P, dKv] key and value tensor per layer of its stack. */
  private checkPrefix(p: T5Prefix | undefined, B: number, where: string): void {
    if (!p) return;
    const c = this.config;
    for (const [name, kv, layers] of [['encoder', p.encoder, c.nLayers], ['decoder', p.decoder, c.nDecoderLayers], ['cross', p.cross, c.nDecoderLayers]] as const) {
      if (!kv) continue;
      if (kv.k.length !== layers || kv.v.length !== layers) throw new ShapeError(`${where}: prefix.${name} needs ${layers} key and value tensors (one per layer), got ${kv.k.length} and ${kv.v.length}`);
      const P = kv.k[0]!.shape[2];
      for (const [what, ts] of [['k', kv.k], ['v', kv.v]] as const) {
        ts.forEach((t, l) => {
          const [b, h, len, d] = t.shape as number[];
          if (t.rank !== 4 || (b !== 1 && b !== B) || h !== c.nHeads || len !== P || d !== c.dKv || P < 1) {
            throw new ShapeError(`${where}: prefix.${name}.${what}[${l}] must be [1 or ${B}, ${c.nHeads}, P ≥ 1, ${c.dKv}], got [${t.shape.join(', ')}]`);
          }
        });
      }
    }
  }

  private check(ids: tf.Tensor2D, mask: tf.Tensor2D | undefined, where: string, prefix?: T5Prefix, wholeWordIds?: tf.Tensor2D): [number, number] {
    if (this.disposed) throw new ConfigError(`${where}: the model has been disposed`);
    this.checkPrefix(prefix, ids.shape[0] ?? 0, where);
    if (ids.rank !== 2 || ids.dtype !== 'int32') throw new ShapeError(`${where}: inputIds must be int32 [B, S], got ${ids.dtype} [${ids.shape.join(', ')}]`);
    if (wholeWordIds) {
      const n = this.config.wholeWordEmbeddings;
      if (n === 0) throw new ConfigError(`${where}: wholeWordIds were given but the model has no whole-word embeddings (config.wholeWordEmbeddings = 0)`);
      if (wholeWordIds.rank !== 2 || wholeWordIds.dtype !== 'int32' || wholeWordIds.shape[0] !== ids.shape[0] || wholeWordIds.shape[1] !== ids.shape[1]) {
        throw new ShapeError(`${where}: wholeWordIds must be int32 [${ids.shape.join(', ')}] like inputIds, got ${wholeWordIds.dtype} [${wholeWordIds.shape.join(', ')}]`);
      }
      const max = Math.max(...wholeWordIds.dataSync());
      if (max >= n) throw new ShapeError(`${where}: a whole-word id is ${max}, but the table has ${n} rows (0..${n - 1}); the input has too many words`);
    }
    if (mask && (mask.rank !== 2 || mask.shape[0] !== ids.shape[0] || mask.shape[1] !== ids.shape[1])) {
      throw new ShapeError(`${where}: attentionMask must be [${ids.shape.join(', ')}], got [${mask.shape.join(', ')}]`);
    }
    return [ids.shape[0], ids.shape[1]];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.params.values()) v.dispose();
  }

  /** The stack names, for callers that walk the parameters per stack. */
  static readonly STACKS: readonly StackName[] = ['encoder', 'decoder'];
}
