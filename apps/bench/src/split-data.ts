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

export function splitRows(
  records: readonly ExplanationRecord[],
  split: { train: ArrayLike<number>; validation: ArrayLike<number>; test: ArrayLike<number> },
  caps: { maxTrain: number; maxValidation: number; maxTest: number },
): SplitRows {
  const train = cap(Array.from(split.train), caps.maxTrain);
  if (train.length === 0) throw new DataError('bench: the training split is empty');
  const users = new Set<string>();
  const items = new Set<string>();
  for (const r of train) {
    const rec = records[r];
    if (!rec) throw new DataError(`bench: training row ${r} is past the end of the records (${records.length})`);
    users.add(rec.user);
    items.add(rec.item);
  }
  const keep = (rows: ArrayLike<number>): { kept: number[]; dropped: number } => {
    const kept: number[] = [];
    let dropped = 0;
    for (const r of Array.from(rows)) {
      const rec = records[r];
      if (!rec) throw new DataError(`bench: row ${r} is past the end of the records (${records.length})`);
      if (users.has(rec.user) && items.has(rec.item)) kept.push(r);
      else dropped++;
    }
    return { kept, dropped };
  };
  const v = keep(split.validation);
  const t = keep(split.test);
  const test = cap(t.kept, caps.maxTest);
  if (test.length < 2) throw new DataError(`bench: only ${test.length} test rows have a user and item seen in training (need at least 2)`);
  return { train, validation: cap(v.kept, caps.maxValidation), test, dropped: { validation: v.dropped, test: t.dropped } };
}
