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

import { IGNORE_INDEX } from '@xrec/tokenizer';
import { packSequences } from '@xrec/transformer';

export { IGNORE_INDEX };

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
  /**
   * Multiplier of the rating term (absent: 1). A data-parallel shard carries (rows share) / (tokens share) of
   * the whole batch, so that shards combined by their share of tokens give the whole batch's loss exactly:
   * the text term is a mean over tokens, the rating term a mean over rows.
   */
  readonly ratingWeight?: number;
}

export interface BatchShape {
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  /** True: 2 prefix vectors precede the tokens; false: the prompt tokens are part of `ids`. */
  readonly prefix: boolean;
}

/** Build one batch from examples: `<bos> e <eos>` scored after the prompt (discrete) or the 2 prefix vectors. */
export function makeBatch(examples: readonly PeplerExample[], s: BatchShape): PeplerBatch {
  // prompts of unequal length are left-padded with <pad> (attended, as the reference's padded prompts are)
  const packed = packSequences(
    examples.map((e) => ({ context: s.prefix ? [] : e.prompt, target: [s.bos, ...e.expl, s.eos] })),
    { pad: s.pad, prefixLength: s.prefix ? 2 : 0 },
  );
  return {
    size: examples.length,
    tokens: packed.tokens,
    users: Int32Array.from(examples, (e) => e.user),
    items: Int32Array.from(examples, (e) => e.item),
    ratings: Float32Array.from(examples, (e) => e.rating),
    ids: packed.ids,
    idsLength: packed.T,
    labels: packed.labels,
    labelsLength: packed.prefixLength + packed.T,
    prefixLength: packed.prefixLength,
  };
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

/**
 * Split a batch into at most `parts` shards of consecutive rows with about equal target tokens (data-parallel
 * training; see `DataParallel.split`). Rows keep the batch's padded length, so every shard scores its rows
 * exactly as the whole batch does; each shard's `ratingWeight` makes the token-weighted sum of the shard
 * losses equal the batch loss.
 */
export function splitPeplerBatch(b: PeplerBatch, parts: number): PeplerBatch[] {
  const n = Math.max(1, Math.min(parts, b.size));
  const rowTokens = Array.from({ length: b.size }, (_, r) => {
    let t = 0;
    for (let j = r * b.labelsLength; j < (r + 1) * b.labelsLength; j++) if (b.labels[j] !== IGNORE_INDEX) t++;
    return t;
  });
  const out: PeplerBatch[] = [];
  let start = 0;
  let seen = 0;
  for (let k = 0; k < n; k++) {
    // end the shard where the running token count first reaches its share (leaving a row for every later shard)
    let end = start + 1;
    seen += rowTokens[start]!;
    const goal = (b.tokens * (k + 1)) / n;
    while (end < b.size - (n - 1 - k) && (k === n - 1 || seen < goal)) seen += rowTokens[end++]!;
    const rows = end - start;
    const tokens = rowTokens.slice(start, end).reduce((a, x) => a + x, 0);
    out.push({
      size: rows,
      tokens,
      users: b.users.slice(start, end),
      items: b.items.slice(start, end),
      ratings: b.ratings.slice(start, end),
      ids: b.ids.slice(start * b.idsLength, end * b.idsLength),
      idsLength: b.idsLength,
      labels: b.labels.slice(start * b.labelsLength, end * b.labelsLength),
      labelsLength: b.labelsLength,
      prefixLength: b.prefixLength,
      ratingWeight: ((b.ratingWeight ?? 1) * (rows / b.size)) / (tokens / b.tokens),
    });
    start = end;
  }
  return out;
}
