/**
 * UP5's user representation: the mean of the final encoder states over the pieces of the `user_{id}` word of
 * a P5 prompt (found by its whole-word index, whichever case the template writes: `user_7`, `User_7`).
 */
import * as tf from '@tensorflow/tfjs';
import { DataError } from '@xrec/core';
import { encodeSource, type EncodedSource, type P5Recommender, type RecExample } from '@xrec/p5';
import type { T5Prefix } from '@xrec/transformer';

/** An example's encoder input with the mask of its `user_…` word (see {@link encodeUserRows}). */
export interface UserRow {
  readonly ids: readonly number[];
  readonly wholeWordIds: readonly number[];
  /** 1 on the pieces of the prompt's first `user_…` word, else 0 (EOS included, so aligned with `ids`). */
  readonly userMask: readonly number[];
}

/** Encode each example's prompt once, with the mask of its `user_…` word. */
export function encodeUserRows(rec: P5Recommender, exs: readonly RecExample[]): UserRow[] {
  return exs.map((ex) => {
    const enc = encodeSource(rec.tokenizer, rec.prompt(ex), rec.options.maxSourceLength ?? 512);
    return { ...enc, userMask: userWordMask(rec, ex, enc) };
  });
}

/** 1 on the pieces of the prompt's first `user_…` word, else 0 (aligned with the encoded source, EOS included). */
export function userWordMask(rec: P5Recommender, ex: RecExample, enc: EncodedSource = encodeSource(rec.tokenizer, rec.prompt(ex), rec.options.maxSourceLength ?? 512)): number[] {
  const words = new Map<number, number[]>();
  enc.wholeWordIds.forEach((w, i) => {
    if (w === 0) return;
    const l = words.get(w) ?? [];
    l.push(enc.ids[i]!);
    words.set(w, l);
  });
  for (const [w, ids] of [...words].sort((a, b) => a[0] - b[0])) {
    if (/^\s*user_/i.test(rec.tokenizer.decode(ids))) return enc.wholeWordIds.map((x) => (x === w ? 1 : 0));
  }
  throw new DataError(`userWordMask: the prompt of user ${ex.user} has no 'user_…' word: ${rec.prompt(ex)}`);
}

/**
 * User representations [B, d] of examples (one row each; or rows already encoded by {@link encodeUserRows}),
 * optionally with prefixes; differentiable in the prefix (call inside a tidy or a loss). `training` enables
 * the model's dropout (the P5 weights stay frozen).
 */
export function userRepresentations(rec: P5Recommender, exs: readonly RecExample[] | readonly UserRow[], o: { prefix?: T5Prefix; training?: boolean; seed?: number } = {}): tf.Tensor2D {
  const rows = exs.length > 0 && 'userMask' in exs[0]! ? (exs as readonly UserRow[]) : encodeUserRows(rec, exs as readonly RecExample[]);
  const B = rows.length;
  const S = Math.max(...rows.map((r) => r.ids.length));
  const ids = new Int32Array(B * S).fill(rec.model.config.padId);
  const att = new Int32Array(B * S);
  const um = new Float32Array(B * S);
  const ww = rec.options.wholeWord ? new Int32Array(B * S) : undefined;
  rows.forEach((r, b) => {
    ids.set(r.ids, b * S);
    att.fill(1, b * S, b * S + r.ids.length);
    um.set(r.userMask, b * S);
    if (ww) ww.set(r.wholeWordIds, b * S);
  });
  return tf.tidy(() => {
    const h = rec.model.encode({
      inputIds: tf.tensor2d(ids, [B, S], 'int32'),
      attentionMask: tf.tensor2d(att, [B, S], 'int32'),
      ...(ww ? { wholeWordIds: tf.tensor2d(ww, [B, S], 'int32') } : {}),
      ...(o.prefix ? { prefix: o.prefix } : {}),
      training: o.training ?? false,
      ...(o.seed !== undefined ? { dropoutSeed: o.seed } : {}),
    });
    const m = tf.tensor3d(um, [B, S, 1]);
    return tf.div(tf.sum(tf.mul(h, m), 1), tf.sum(m, 1)) as tf.Tensor2D;
  });
}

/**
 * Representations of many encoded rows as one row-major Float32Array [rows, d], computed 256 rows at a time
 * (no gradients kept); `prefix` makes each chunk's prefix (a prompt's, or none).
 */
export function representationArray(rec: P5Recommender, rows: readonly UserRow[], prefix?: () => T5Prefix): Float32Array {
  const d = rec.model.config.dModel;
  const out = new Float32Array(rows.length * d);
  for (let k = 0; k < rows.length; k += 256) {
    const r = tf.tidy(() => userRepresentations(rec, rows.slice(k, k + 256), prefix ? { prefix: prefix() } : {}));
    out.set(r.dataSync(), k * d);
    r.dispose();
  }
  return out;
}
