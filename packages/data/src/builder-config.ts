/** Configuration of the explanation-dataset builder, validated once with errors naming the field. */
import { ConfigError, is, resolveConfig, type ConfigSpec } from '@xrec/core';

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

const count = (min = 1) => is.int(min);

function ratiosProblem(v: unknown): string | undefined {
  if (!Array.isArray(v) || v.length !== 3 || v.some((x) => typeof x !== 'number' || !(x >= 0))) return 'must be three non-negative numbers';
  const [a, b, c] = v as number[];
  return Math.abs(a! + b! + c! - 1) > 1e-9 || a! <= 0 ? 'ratios must sum to 1 with train > 0' : undefined;
}

const BUILDER_SPEC: ConfigSpec<BuilderConfig> = {
  seed: { check: is.int(), default: DEFAULT_BUILDER_CONFIG.seed },
  splitCount: { check: count(), default: DEFAULT_BUILDER_CONFIG.splitCount },
  ratios: { check: ratiosProblem, default: DEFAULT_BUILDER_CONFIG.ratios, normalize: (v) => { const r = v as number[]; return [r[0]!, r[1]!, r[2]!] as const; } },
  minWords: { check: count(), default: DEFAULT_BUILDER_CONFIG.minWords },
  maxWords: { check: count(), default: DEFAULT_BUILDER_CONFIG.maxWords },
  minFeatureReviews: { check: count(), default: DEFAULT_BUILDER_CONFIG.minFeatureReviews },
  minPhraseReviews: { check: count(), default: DEFAULT_BUILDER_CONFIG.minPhraseReviews },
  maxFeatures: { check: count(), default: DEFAULT_BUILDER_CONFIG.maxFeatures },
  minOpinionCount: { check: count(), default: DEFAULT_BUILDER_CONFIG.minOpinionCount },
  ratingPolarityMargin: { check: is.num(0, { exclusive: true }), default: DEFAULT_BUILDER_CONFIG.ratingPolarityMargin },
  minRatingPolarityCount: { check: count(), default: DEFAULT_BUILDER_CONFIG.minRatingPolarityCount },
  maxPairDistance: { check: count(), default: DEFAULT_BUILDER_CONFIG.maxPairDistance },
};

/** Fill defaults and validate (the core resolver: errors name the field, unknown fields name the closest one). */
export function resolveBuilderConfig(partial: Partial<BuilderConfig> = {}): BuilderConfig {
  const c = resolveConfig('BuilderConfig', BUILDER_SPEC, partial);
  if (c.maxWords < c.minWords) throw new ConfigError(`BuilderConfig.maxWords (${c.maxWords}) must be >= minWords (${c.minWords})`);
  return c;
}
