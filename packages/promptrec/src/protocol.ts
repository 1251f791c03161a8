/**
 * PromptRec's system cold start: per seed, a random 250 rows for (few-shot) training, 50 for validation and
 * every other row for test. The reference seeds Python's `random`; here the seeded Rng of @xrec/core draws the
 * permutation (same sizes and rule, different rows for the same seed number).
 */
import { ConfigError, Rng } from '@xrec/core';

/** The paper's seeds. */
export const PROMPTREC_SEEDS = [41905, 1640, 18025, 14629, 48265] as const;

export function systemColdStart(rows: number, seed: number, sizes: { train?: number; valid?: number } = {}): { train: number[]; valid: number[]; test: number[] } {
  const nTrain = sizes.train ?? 250;
  const nValid = sizes.valid ?? 50;
  if (nTrain + nValid >= rows) throw new ConfigError(`systemColdStart: ${nTrain} + ${nValid} rows of ${rows} leave no test rows`);
  const perm = new Rng(seed).permutation(rows);
  return { train: perm.slice(0, nTrain), valid: perm.slice(nTrain, nTrain + nValid), test: perm.slice(nTrain + nValid) };
}
