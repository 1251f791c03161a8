/**
 * Training examples and batches (reference utils.py DataLoader/Batchify/Batchify2).
 *
 * One row of the model input is `context ++ [<bos>, e_1..e_n, <eos>, <pad>...]`, where the context is either
 * C = 2 prefix vectors (user, item: continuous/MF/MLP) or C = promptTokens feature-prompt tokens (discrete).
 * As in the reference (HF labels, shifted inside the model), the target of output position t is input t+1
 * wherever input t+1 is part of `<bos> e <eos>`, else -100 — so the last context position predicts `<bos>`
 * and the loss covers only the explanation. With causal attention right padding never influences real
 * positions, so no attention mask is needed.
 */
import type { TrainBatch } from '@xrec/transformer';
import type { Rng } from '@xrec/core';

export const IGNORE_INDEX = -100;

export interface PeplerExample {
  readonly user: number;
  readonly item: number;
  readonly rating: number;
  /** Truncated explanation ids, without <bos>/<eos>. */
  readonly expl: readonly number[];
  /** Discrete prompt ids (exactly promptTokens long, left-padded) — empty for the other variants. */
  readonly prompt: readonly number[];
}

export interface PeplerBatch extends TrainBatch {
  readonly size: number;
  /** Scored target tokens in the batch. */
  readonly tokens: number;
  readonly users: Int32Array; // [B]
  readonly items: Int32Array; // [B]
  readonly ratings: Float32Array; // [B]
  /** Token ids [B, T] row-major (discrete: prompt ++ sequence). */
  readonly ids: Int32Array;
  readonly idsLength: number;
  /** Labels [B, C + T] row-major for the continuous variants, [B, T] for discrete. */
  readonly labels: Int32Array;
  readonly labelsLength: number;
  /** Number of prefix vectors (2 for continuous/MF/MLP, 0 for discrete). */
  readonly prefixLength: number;
}

export interface BatchShape {
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  /** True: 2 prefix vectors precede the tokens; false: the prompt tokens are part of `ids`. */
  readonly prefix: boolean;
}

/** Build one batch from examples. */
export function makeBatch(examples: readonly PeplerExample[], s: BatchShape): PeplerBatch {
  const B = examples.length;
  const seqLen = Math.max(...examples.map((e) => e.expl.length)) + 2; // <bos> e <eos>
  const P = s.prefix ? 0 : Math.max(...examples.map((e) => e.prompt.length));
  const T = P + seqLen; // token positions
  const C = s.prefix ? 2 : 0; // prefix vectors
  const L = C + T; // output positions
  const ids = new Int32Array(B * T).fill(s.pad);
  const labels = new Int32Array(B * L).fill(IGNORE_INDEX);
  const users = new Int32Array(B);
  const items = new Int32Array(B);
  const ratings = new Float32Array(B);
  let tokens = 0;
  examples.forEach((e, b) => {
    users[b] = e.user;
    items[b] = e.item;
    ratings[b] = e.rating;
    // left-pad prompts of unequal length with <pad> (attended, as the reference's padded prompts are)
    const off = P - e.prompt.length;
    e.prompt.forEach((id, k) => (ids[b * T + off + k] = id));
    const seq = [s.bos, ...e.expl, s.eos];
    seq.forEach((id, k) => (ids[b * T + P + k] = id));
    // output position (C + P + k - 1) predicts seq[k]
    for (let k = 0; k < seq.length; k++) {
      const pos = C + P + k - 1;
      if (pos < 0) continue;
      labels[b * L + pos] = seq[k]!;
      tokens++;
    }
  });
  return { size: B, tokens, users, items, ratings, ids, idsLength: T, labels, labelsLength: L, prefixLength: C };
}

/** Split examples into batches (order kept); `rng` shuffles first when given. */
export function batchesOf(examples: readonly PeplerExample[], batchSize: number, s: BatchShape, rng?: Rng): PeplerBatch[] {
  const order = rng ? rng.permutation(examples.length) : [...examples.keys()];
  const out: PeplerBatch[] = [];
  for (let i = 0; i < order.length; i += batchSize) {
    out.push(makeBatch(order.slice(i, i + batchSize).map((k) => examples[k]!), s));
  }
  return out;
}
