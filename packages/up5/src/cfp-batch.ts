/** The batches of UP5's adversarial trainings (a fair prompt, the fine-tuning baseline) and their shards. */
import { splitP5Batch, type EncodedExample } from '@xrec/p5';
import type { UserRow } from './user-representation.js';

/** What a UP5 batch has in common: P5 rows, one user per row, and the weight of its per-user terms. */
export interface UserBatch {
  readonly rows: readonly EncodedExample[];
  /** The rows' prompts with their `user_…` word masks (encoded once, before training). */
  readonly users: readonly UserRow[];
  readonly size: number;
  readonly tokens: number;
  /**
   * A shard's weight on its per-user terms (the adversary's and the discriminator's losses, means over users):
   * (its share of the batch's users) / (its share of the batch's target tokens), so that shards weighted by
   * their tokens sum to the batch's loss, whose recommendation term is a mean over tokens. Absent: 1.
   */
  readonly userWeight?: number;
}

export interface CfpBatch extends UserBatch {
  /** The attribute's class of each row's user. */
  readonly labels: readonly number[];
}

/**
 * Split a batch into at most `parts` shards of consecutive rows (the P5 split), each with its `userWeight`;
 * `slice(start, end)` gives the shard's other per-row fields.
 */
export function splitUserBatch<B extends UserBatch>(b: B, parts: number, slice: (start: number, end: number) => Omit<B, keyof UserBatch>): B[] {
  let start = 0;
  return splitP5Batch(b, parts).map((s) => {
    const end = start + s.size;
    const shard = { ...b, ...s, ...slice(start, end), users: b.users.slice(start, end), userWeight: ((b.userWeight ?? 1) * (s.size / b.size)) / (s.tokens / b.tokens) } as B;
    start = end;
    return shard;
  });
}

/** Split a batch into at most `parts` shards of consecutive rows (the P5 split), each with its `userWeight`. */
export function splitCfpBatch(b: CfpBatch, parts: number): CfpBatch[] {
  return splitUserBatch(b, parts, (start, end) => ({ labels: b.labels.slice(start, end) }));
}
