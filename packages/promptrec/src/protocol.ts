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

export type ColdStartProtocol = 'system' | 'user' | 'item';

/**
 * User or item cold start (what xrec adds to PromptRec's protocol): `share` of the distinct users (items) of
 * `keys` (one per row), drawn with the seed, are cold — every row of theirs is a test row, none is seen in
 * training; the other rows are warm: `warm` lists them all (what warm methods such as matrix factorisation
 * and popularity train on), and the few-shot `train` (250) and `valid` (50) rows are drawn from them.
 */
export function entityColdStart(keys: readonly string[], seed: number, o: { share?: number; train?: number; valid?: number } = {}): { train: number[]; valid: number[]; test: number[]; warm: number[] } {
  const share = o.share ?? 0.2;
  if (!(share > 0 && share < 1)) throw new ConfigError(`entityColdStart: share must be in (0, 1), got ${share}`);
  const distinct = [...new Set(keys)];
  const rng = new Rng(seed);
  const nCold = Math.round(distinct.length * share);
  if (nCold === 0 || nCold === distinct.length) throw new ConfigError(`entityColdStart: ${distinct.length} distinct keys leave no cold or no warm one at share ${share}`);
  const cold = new Set(rng.permutation(distinct.length).slice(0, nCold).map((i) => distinct[i]!));
  const test: number[] = [];
  const warm: number[] = [];
  keys.forEach((k, i) => (cold.has(k) ? test : warm).push(i));
  const nTrain = o.train ?? 250;
  const nValid = o.valid ?? 50;
  if (nTrain + nValid > warm.length) throw new ConfigError(`entityColdStart: ${nTrain} + ${nValid} few-shot rows but only ${warm.length} warm rows`);
  const drawn = rng.fork('few-shot').permutation(warm.length);
  // the test rows in a seeded random order, so a profile's first n test rows are a random sample of them
  const order = rng.fork('test').permutation(test.length);
  return { train: drawn.slice(0, nTrain).map((i) => warm[i]!), valid: drawn.slice(nTrain, nTrain + nValid).map((i) => warm[i]!), test: order.map((i) => test[i]!), warm };
}
