/** Configuration of the explanation-dataset builder, validated once with errors naming the field. */
import { ConfigError } from '@xrec/core';

export interface BuilderConfig {
  /** Seed of the five splits. */
  readonly seed: number;
  /** Number of train/validation/test splits (PETER ships 5). */
  readonly splitCount: number;
  /** Train / validation / test fractions; must sum to 1. */
  readonly ratios: readonly [number, number, number];
  /** Shortest kept sentence, in words. */
  readonly minWords: number;
  /** Longest kept sentence, in words. */
  readonly maxWords: number;
  /** A noun (lemma) becomes a feature when at least this many reviews contain it. */
  readonly minFeatureReviews: number;
  /** A two-noun phrase ("pop filter") becomes a feature when at least this many reviews contain it. */
  readonly minPhraseReviews: number;
  /** At most this many features (most frequent first). */
  readonly maxFeatures: number;
  /** An adjective becomes an opinion word when it co-occurs with a feature in at least this many sentences. */
  readonly minOpinionCount: number;
  /**
   * For adjectives the sentiment lexicon scores 0: polarity from ratings, sign(mean rating of their
   * sentences − corpus mean) when |difference| ≥ this; adjectives below it are dropped as neutral.
   */
  readonly ratingPolarityMargin: number;
  /** Rating-derived polarity needs at least this many co-occurrences. */
  readonly minRatingPolarityCount: number;
  /** The chosen feature and opinion word are at most this many tokens apart. */
  readonly maxPairDistance: number;
}

export const DEFAULT_BUILDER_CONFIG: BuilderConfig = {
  seed: 42,
  splitCount: 5,
  ratios: [0.8, 0.1, 0.1],
  minWords: 4,
  maxWords: 30,
  minFeatureReviews: 20,
  minPhraseReviews: 10,
  maxFeatures: 400,
  minOpinionCount: 5,
  ratingPolarityMargin: 0.5,
  minRatingPolarityCount: 15,
  maxPairDistance: 6,
};

function posInt(name: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ConfigError(`BuilderConfig.${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

/** Fill defaults and validate. */
export function resolveBuilderConfig(partial: Partial<BuilderConfig> = {}): BuilderConfig {
  const c = { ...DEFAULT_BUILDER_CONFIG, ...partial };
  if (!Number.isInteger(c.seed)) throw new ConfigError(`BuilderConfig.seed must be an integer, got ${String(c.seed)}`);
  posInt('splitCount', c.splitCount);
  posInt('minWords', c.minWords);
  posInt('maxWords', c.maxWords);
  if (c.maxWords < c.minWords) throw new ConfigError(`BuilderConfig.maxWords (${c.maxWords}) must be >= minWords (${c.minWords})`);
  posInt('minFeatureReviews', c.minFeatureReviews);
  posInt('minPhraseReviews', c.minPhraseReviews);
  posInt('maxFeatures', c.maxFeatures);
  posInt('minOpinionCount', c.minOpinionCount);
  posInt('minRatingPolarityCount', c.minRatingPolarityCount);
  posInt('maxPairDistance', c.maxPairDistance);
  if (typeof c.ratingPolarityMargin !== 'number' || !(c.ratingPolarityMargin > 0)) {
    throw new ConfigError(`BuilderConfig.ratingPolarityMargin must be a number > 0, got ${String(c.ratingPolarityMargin)}`);
  }
  const r = c.ratios;
  if (!Array.isArray(r) || r.length !== 3 || r.some((x) => typeof x !== 'number' || !(x >= 0))) {
    throw new ConfigError(`BuilderConfig.ratios must be three non-negative numbers, got ${JSON.stringify(r)}`);
  }
  if (Math.abs(r[0] + r[1] + r[2] - 1) > 1e-9 || r[0] <= 0) throw new ConfigError(`BuilderConfig.ratios must sum to 1 with train > 0, got ${JSON.stringify(r)}`);
  return { ...c, ratios: [r[0], r[1], r[2]] };
}
