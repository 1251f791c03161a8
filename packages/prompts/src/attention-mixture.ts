/**
 * A learned prefix mixture (UP5's prompt mixture, Hua et al. 2023, `CFunctionPrompt` in agiresearch/UP5): for
 * every layer's keys and for its values, `tokens` learned queries attend — multi-head — over the selected
 * prefixes joined along the prefix axis, and the attention output is the combined prefix of `tokens` positions.
 * One selected prefix is returned unchanged, as in the reference.
 *
 *   X   = concat_i(part_i[l])            [B, H, n·L, hd] → [B, n·L, d]   (d = H·hd)
 *   Q   = E[slot] Wq + bq                [L, d]          (E: [layers·2·L, d], one block of L per layer and k/v)
 *   K,V = X Wk + bk, X Wv + bv           [B, n·L, d]
 *   O   = MultiHead(Q, K, V) Wo + bo     [B, L, d]       → [B, H, L, hd]
 *
 * The reference applies a Linear before nn.MultiheadAttention's own input projection (two linear maps in a row);
 * here one projection each for Q, K and V.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, type Rng } from '@xrec/core';
import type { PrefixKV } from '@xrec/transformer';
import { initValues, uniqueName } from './init.js';
import type { PrefixMixture } from './mixture.js';

export interface AttentionMixtureConfig {
  /** Positions of each part and of the mixed prefix (UP5: the prompts' length). */
  readonly tokens: number;
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  /** Heads of the mixing attention (UP5: 8 at d = 512); must divide kvHeads·headDim. Default kvHeads. */
  readonly heads?: number;
  /**
   * Start the value and output projections at the identity (default false: xavier, as the reference's
   * `nn.MultiheadAttention`). The mixed prefix then begins as an attention-weighted average of the selected
   * prefixes' own positions, in their space and scale, instead of a random linear map of them.
   */
  readonly identityValues?: boolean;
}

export class AttentionMixture implements PrefixMixture {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly heads: number;

  constructor(readonly config: AttentionMixtureConfig, rng: Rng) {
    const c = config;
    for (const k of ['tokens', 'layers', 'kvHeads', 'headDim'] as const) {
      if (!Number.isInteger(c[k]) || c[k] < 1) throw new ConfigError(`AttentionMixture: ${k} must be a positive integer, got ${c[k]}`);
    }
    const d = c.kvHeads * c.headDim;
    this.heads = c.heads ?? c.kvHeads;
    if (!Number.isInteger(this.heads) || this.heads < 1 || d % this.heads !== 0) throw new ConfigError(`AttentionMixture: heads must divide kvHeads·headDim = ${d}, got ${String(c.heads)}`);
    const add = (name: string, shape: number[], values: Float32Array) => this.vars.set(name, tf.tidy(() => tf.variable(tf.tensor(values, shape), true, uniqueName(`prompts.mixture.${name}`))));
    add('queries', [c.layers * 2 * c.tokens, d], initValues(c.layers * 2 * c.tokens, d, { kind: 'normal', std: 1 }, rng, 'AttentionMixture'));
    const xavier = Math.sqrt(2 / (d + d)); // torch's xavier_normal_ on a d×d weight
    const identity = (): Float32Array => {
      const m = new Float32Array(d * d);
      for (let i = 0; i < d; i++) m[i * d + i] = 1;
      return m;
    };
    for (const p of ['q', 'k', 'v', 'o']) {
      // the random draw is made either way, so identityValues leaves the queries' and keys' initial values unchanged
      const drawn = initValues(d, d, { kind: 'normal', std: xavier }, rng, 'AttentionMixture');
      add(`${p}.weight`, [d, d], c.identityValues && (p === 'v' || p === 'o') ? identity() : drawn); // [in, out]
      add(`${p}.bias`, [d], new Float32Array(d));
    }
  }

  variables(): Map<string, tf.Variable> {
    return new Map(this.vars);
  }

  mix(parts: readonly PrefixKV[]): PrefixKV {
    if (parts.length === 0) throw new ConfigError('AttentionMixture.mix: no prefixes to mix');
    if (parts.length === 1) return parts[0]!;
    const { tokens: L, layers, kvHeads: H, headDim: hd } = this.config;
    for (const [i, p] of parts.entries()) {
      if (p.k.length !== layers || p.v.length !== layers) throw new ConfigError(`AttentionMixture.mix: part ${i} has ${p.k.length} layers, expected ${layers}`);
      const s = p.k[0]!.shape;
      if (s[1] !== H || s[2] !== L || s[3] !== hd) throw new ConfigError(`AttentionMixture.mix: part ${i} is [${s.join(', ')}], expected [B, ${H}, ${L}, ${hd}]`);
    }
    const v = (n: string) => this.vars.get(n)!;
    const d = H * hd;
    const nh = this.heads;
    const dh = d / nh;
    const one = (slot: number, xs: readonly tf.Tensor4D[]): tf.Tensor4D =>
      tf.tidy(() => {
        const B = xs[0]!.shape[0];
        const x = tf.reshape(tf.transpose(tf.concat([...xs], 2), [0, 2, 1, 3]), [B * xs.length * L, d]) as tf.Tensor2D; // [B·nL, d]
        const proj = (t: tf.Tensor2D, p: string) => tf.add(tf.matMul(t, v(`${p}.weight`)), v(`${p}.bias`)) as tf.Tensor2D;
        const k = tf.transpose(tf.reshape(proj(x, 'k'), [B, xs.length * L, nh, dh]), [0, 2, 1, 3]); // [B, nh, nL, dh]
        const val = tf.transpose(tf.reshape(proj(x, 'v'), [B, xs.length * L, nh, dh]), [0, 2, 1, 3]); // [B, nh, nL, dh]
        const e = tf.slice(v('queries'), [slot * L, 0], [L, d]) as tf.Tensor2D;
        const q = tf.transpose(tf.reshape(proj(e, 'q'), [1, L, nh, dh]), [0, 2, 1, 3]); // [1, nh, L, dh]
        const att = tf.softmax(tf.div(tf.matMul(tf.broadcastTo(q, [B, nh, L, dh]), k, false, true), Math.sqrt(dh))); // [B, nh, L, nL]
        const o = tf.reshape(tf.transpose(tf.matMul(att, val), [0, 2, 1, 3]), [B * L, d]); // [B·L, d]
        return tf.transpose(tf.reshape(proj(o as tf.Tensor2D, 'o'), [B, L, H, hd]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, H, L, hd]
      });
    return {
      k: Array.from({ length: layers }, (_, l) => one(2 * l, parts.map((p) => p.k[l]!))),
      v: Array.from({ length: layers }, (_, l) => one(2 * l + 1, parts.map((p) => p.v[l]!))),
    };
  }

  dispose(): void {
    for (const x of this.vars.values()) x.dispose();
  }
}
