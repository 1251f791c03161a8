/**
 * Beam search for one encoded input row: hypotheses ranked by their summed log-probability (no length
 * normalisation, so complete sequences rank as their log-likelihoods do); `allowed(prefix)` constrains each
 * step (e.g. a PrefixTrie of valid item ids; an empty list ends the hypothesis). Finished hypotheses (EOS)
 * leave the beam; a live one below the beams-th finished one is dropped, since extending it only lowers it.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@xrec/core';
import { disposeCache, reorderCache, startCache, stepCached, type T5DecoderParts } from './kv-cache.js';
import type { T5Prefix, T5Row } from './model.js';

export interface BeamSearchOptions {
  readonly input: T5Row;
  readonly beams: number;
  readonly maxNewTokens: number;
  readonly allowed?: (prefix: readonly number[]) => readonly number[];
  readonly prefix?: T5Prefix;
  /**
   * An intervention on the encoder states [S, d] before decoding (e.g. projecting an attribute's directions out of
   * them, a fairness baseline); it must return a new tensor of the same shape.
   */
  readonly encoderEdit?: (enc: tf.Tensor2D) => tf.Tensor2D;
  /** Reuse keys and values across steps (default true); false recomputes the whole decoder every step. */
  readonly cache?: boolean;
}

export interface BeamHypothesis {
  readonly tokens: number[];
  readonly logProb: number;
}

/** `o.encoderEdit` applied to the encoder states, its shape checked (a wrong one is disposed and refused). */
function editStates(encoded: tf.Tensor2D, edit: (enc: tf.Tensor2D) => tf.Tensor2D): tf.Tensor2D {
  const enc = edit(encoded);
  if (enc.shape.length !== 2 || enc.shape[0] !== encoded.shape[0] || enc.shape[1] !== encoded.shape[1]) {
    const got = enc.shape.join(', ');
    if (enc !== encoded) enc.dispose();
    throw new ShapeError(`beamSearch: encoderEdit must return [${encoded.shape.join(', ')}], got [${got}]`);
  }
  return enc;
}

/**
 * Beam search over encoder states [S, d] of one row (`mask` [1, S]), after `o.encoderEdit` when given; the
 * caller owns `encoded` and `mask`.
 */
export function beamSearchOver(m: T5DecoderParts, encoded: tf.Tensor2D, mask: tf.Tensor2D, S: number, o: BeamSearchOptions): BeamHypothesis[] {
  const { eosId: eos, decoderStartId: start } = m.config;
  const enc = o.encoderEdit ? editStates(encoded, o.encoderEdit) : encoded;
  type Hyp = { tokens: number[]; logProb: number; row: number };
  let live: Hyp[] = [{ tokens: [], logProb: 0, row: 0 }];
  const done: Hyp[] = [];
  let cache = o.cache === false ? undefined : startCache(m, enc, undefined, 1, S, o.prefix);
  try {
    for (let step = 0; step < o.maxNewTokens && live.length > 0; step++) {
      const B = live.length;
      const T = step + 1;
      let lp: number[][];
      if (cache) {
        // the cache holds the rows of the previous step: keep each live hypothesis's parent row
        cache = reorderCache(cache, live.map((h) => h.row));
        const t = stepCached(m, live.map((h) => (step === 0 ? start : h.tokens[h.tokens.length - 1]!)), cache);
        lp = t.arraySync() as number[][];
        t.dispose();
      } else {
        lp = tf.tidy(() => {
          const dec = tf.tensor2d(live.flatMap((h) => [start, ...h.tokens]), [B, T], 'int32');
          const h = m.decode(dec, tf.tile(enc, [B, 1]) as tf.Tensor2D, tf.tile(mask, [B, 1]) as tf.Tensor2D, B, S, o.prefix);
          const last = tf.gather(h, tf.tensor1d(live.map((_, b) => b * T + T - 1), 'int32')) as tf.Tensor2D;
          return tf.logSoftmax(m.headLogits(last)).arraySync() as number[][];
        });
      }
      const cand: Hyp[] = [];
      live.forEach((h, b) => {
        const next = o.allowed ? o.allowed(h.tokens) : lp[b]!.map((_, t) => t);
        if (next.length === 0) done.push(h);
        for (const t of next) cand.push({ tokens: [...h.tokens, t], logProb: h.logProb + lp[b]![t]!, row: b });
      });
      cand.sort((a, b) => b.logProb - a.logProb);
      // the best `beams` candidates: finished ones (EOS) leave the beam, the others go on
      live = [];
      for (const c of cand.slice(0, o.beams)) (c.tokens[c.tokens.length - 1] === eos ? done : live).push(c);
      const worstDone = done.length >= o.beams ? [...done].sort((a, b) => b.logProb - a.logProb)[o.beams - 1]!.logProb : -Infinity;
      live = live.filter((h) => h.logProb > worstDone);
    }
    done.push(...live);
    return done
      .sort((a, b) => b.logProb - a.logProb)
      .slice(0, o.beams)
      .map((h) => ({ tokens: h.tokens, logProb: h.logProb }));
  } finally {
    if (cache) disposeCache(cache);
    if (enc !== encoded) enc.dispose();
  }
}
