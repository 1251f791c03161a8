/**
 * One split of an explanation dataset as the bench uses it: training rows, and validation/test rows whose
 * user and item occur in training (PEPLER learns one prompt per user and item; PETER's splits guarantee
 * this, datasets built elsewhere may not — dropped rows are counted), optionally capped (smoke profile).
 */
import type { ExplanationRecord } from '@xrec/core';
import { DataError } from '@xrec/core';

export interface SplitRows {
  readonly train: number[];
  readonly validation: number[];
  readonly test: number[];
  /** Validation + test rows dropped because their user or item is not in (the capped) training rows. */
  readonly dropped: { readonly validation: number; readonly test: number };
}

function cap(rows: number[], n: number): number[] {
  return n > 0 && rows.length > n ? rows.slice(0, n) : rows;
}

/**
 * Rows of one split. With caps (smoke), the first `maxTest` test and `maxValidation` validation rows are
 * taken, and the capped training rows prefer rows that share a user or item with them (so few evaluation
 * rows are lost to unseen users/items), then the rest in order.
 */
export function splitRows(
  records: readonly ExplanationRecord[],
  split: { train: ArrayLike<number>; validation: ArrayLike<number>; test: ArrayLike<number> },
  caps: { maxTrain: number; maxValidation: number; maxTest: number },
): SplitRows {
  const rec = (r: number): ExplanationRecord => {
    const x = records[r];
    if (!x) throw new DataError(`bench: row ${r} is past the end of the records (${records.length})`);
    return x;
  };
  const allTrain = Array.from(split.train);
  const testIn = cap(Array.from(split.test), caps.maxTest);
  const valIn = cap(Array.from(split.validation), caps.maxValidation);
  let train = allTrain;
  if (caps.maxTrain > 0 && allTrain.length > caps.maxTrain) {
    const wantU = new Set([...testIn, ...valIn].map((r) => rec(r).user));
    const wantI = new Set([...testIn, ...valIn].map((r) => rec(r).item));
    const first = allTrain.filter((r) => wantU.has(rec(r).user) || wantI.has(rec(r).item));
    const firstSet = new Set(first);
    train = [...first, ...allTrain.filter((r) => !firstSet.has(r))].slice(0, caps.maxTrain).sort((a, b) => a - b);
  }
  if (train.length === 0) throw new DataError('bench: the training split is empty');
  const users = new Set<string>();
  const items = new Set<string>();
  for (const r of train) {
    users.add(rec(r).user);
    items.add(rec(r).item);
  }
  const keep = (rows: readonly number[]): { kept: number[]; dropped: number } => {
    const kept = rows.filter((r) => users.has(rec(r).user) && items.has(rec(r).item));
    return { kept, dropped: rows.length - kept.length };
  };
  const v = keep(valIn);
  const t = keep(testIn);
  if (t.kept.length < 2) throw new DataError(`bench: only ${t.kept.length} test rows have a user and item seen in training (need at least 2)`);
  return { train, validation: v.kept, test: t.kept, dropped: { validation: v.dropped, test: t.dropped } };
}
