/**
 * Additive attention masks (0 = attend, -1e9 = blocked): causal or bidirectional, with padding, plus the
 * config's distance bias (attention-bias.ts) on the attended entries.
 */
import * as tf from '@tensorflow/tfjs';
import { distanceBias } from './attention-bias.js';
import type { TransformerConfig } from './config.js';

const NEG_INF = -1e9;

/** Additive mask for blocked attention: [H·S, H·S] (or [B, H·S, H·S] with padding); same head and causal. */
export function blockedMask(c: TransformerConfig, B: number, S: number, keyValid: Uint8Array): tf.Tensor {
  const H = c.nHeads;
  const HS = H * S;
  const bidir = c.attention === 'bidirectional';
  const padded = keyValid.some((v) => v === 0);
  const bias = distanceBias(c);
  const rows = padded ? B : 1;
  const m = new Float32Array(rows * HS * HS).fill(NEG_INF);
  for (let b = 0; b < rows; b++) {
    for (let h = 0; h < H; h++) {
      for (let s = 0; s < S; s++) {
        const row = (b * HS + h * S + s) * HS + h * S;
        for (let j = 0; j < S; j++) {
          const ok = (!padded || keyValid[b * S + j] === 1) && (bidir || j <= s);
          if (ok) m[row + j] = bias ? bias(h, s, j) : 0;
        }
      }
    }
  }
  return padded ? tf.tensor3d(m, [B, HS, HS]) : tf.tensor2d(m, [HS, HS]);
}

/**
 * Additive mask for scores [B·H, S, Sk] (0 = attend, -1e9 = blocked); query s sits at key index pastLen + s.
 * Without padding: [S, Sk] broadcast over B·H (or none when bidirectional). With a distance bias always
 * [B·H, S, Sk]; the pastLen keys before the queries (a bidirectional model's prefix) get no bias.
 */
export function attentionMask(c: TransformerConfig, B: number, S: number, pastLen: number, keyValid: Uint8Array): tf.Tensor | undefined {
  const H = c.nHeads;
  const Sk = pastLen + S;
  const bidir = c.attention === 'bidirectional';
  const padded = keyValid.some((v) => v === 0);
  const bias = distanceBias(c);
  if (!padded && !bias) {
    if (bidir) return undefined;
    if (S === 1) return undefined; // one query at the end: every key is earlier
    const m = new Float32Array(S * Sk);
    for (let s = 0; s < S; s++) for (let j = pastLen + s + 1; j < Sk; j++) m[s * Sk + j] = NEG_INF;
    return tf.tensor2d(m, [S, Sk]);
  }
  const m = new Float32Array(B * H * S * Sk);
  const row = new Float32Array(S * Sk);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      for (let j = 0; j < Sk; j++) {
        const ok = keyValid[b * Sk + j] === 1 && (bidir || j <= pastLen + s);
        row[s * Sk + j] = ok ? 0 : NEG_INF;
      }
    }
    for (let h = 0; h < H; h++) {
      const o = (b * H + h) * S * Sk;
      m.set(row, o);
      if (!bias) continue;
      for (let s = 0; s < S; s++) for (let j = pastLen; j < Sk; j++) if (row[s * Sk + j] === 0) m[o + s * Sk + j] = bias(h, s, j - pastLen);
    }
  }
  return tf.tensor3d(m, [B * H, S, Sk]);
}
