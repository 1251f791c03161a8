/**
 * Rating-prediction errors as PETER / PEPLER compute them (`mean_absolute_error`,
 * `root_mean_square_error`): each prediction is first clipped to the dataset's rating range.
 */
import { ConfigError, DataError, ShapeError } from '@xrec/core';

/** The dataset's rating range (PEPLER takes min and max over all ratings of the dataset). */
export interface RatingRange {
  readonly minRating: number;
  readonly maxRating: number;
}

function clippedErrors(where: string, ratings: readonly number[], predicted: readonly number[], range: RatingRange): Float64Array {
  if (ratings.length !== predicted.length) {
    throw new ShapeError(`${where}: ${ratings.length} ratings but ${predicted.length} predictions`);
  }
  if (ratings.length === 0) throw new DataError(`${where}: no ratings to score (empty input)`);
  const { minRating, maxRating } = range;
  if (!Number.isFinite(minRating) || !Number.isFinite(maxRating) || minRating > maxRating) {
    throw new ConfigError(`${where}: need finite minRating <= maxRating, got minRating=${minRating}, maxRating=${maxRating}`);
  }
  const out = new Float64Array(ratings.length);
  for (let i = 0; i < ratings.length; i++) {
    const r = ratings[i]!;
    let p = predicted[i]!;
    if (!Number.isFinite(r) || !Number.isFinite(p)) {
      throw new DataError(`${where}: row ${i} has a non-finite rating (${r}) or prediction (${p})`);
    }
    if (p > maxRating) p = maxRating;
    if (p < minRating) p = minRating;
    out[i] = p - r;
  }
  return out;
}

/** MAE = (1/N) * sum_i |clip(p_i, min, max) - r_i|. */
export function meanAbsoluteError(ratings: readonly number[], predicted: readonly number[], range: RatingRange): number {
  const d = clippedErrors('meanAbsoluteError', ratings, predicted, range);
  let total = 0;
  for (const x of d) total += Math.abs(x);
  return total / d.length;
}

/** RMSE = sqrt( (1/N) * sum_i (clip(p_i, min, max) - r_i)^2 ). */
export function rootMeanSquareError(ratings: readonly number[], predicted: readonly number[], range: RatingRange): number {
  const d = clippedErrors('rootMeanSquareError', ratings, predicted, range);
  let total = 0;
  for (const x of d) total += x * x;
  return Math.sqrt(total / d.length);
}
