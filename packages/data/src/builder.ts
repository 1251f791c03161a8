/**
 * The explanation-dataset builder: raw reviews → PETER-style records (user, item, rating, feature,
 * opinion, sentence, sentiment), as in the data of PETER (Li, Zhang & Chen, ACL 2021) made with Sentires
 * (Zhang et al., SIGIR 2014).
 *
 * 1. split each review's text into sentences and tag them (wink-nlp: POS, lemma, negation scope);
 * 2. feature lexicon from frequent nouns / noun phrases; opinion lexicon from adjectives that co-occur
 *    with them, polarity from wink-nlp's sentiment lexicon (see lexicon.ts);
 * 3. keep every sentence of minWords..maxWords words that mentions a feature and an opinion word: one
 *    record per (review, sentence) with the (feature, opinion) pair closest in the sentence; sentiment =
 *    the opinion's polarity, flipped inside a negation ("not loud");
 * 4. five seeded 8:1:1 splits with every validation/test user and item in train (splits.ts).
 */
import { DataError, silentProgress, type ExplanationRecord, type Progress, type ReviewRecord } from '@xrec/core';
import { resolveBuilderConfig, type BuilderConfig } from './builder-config.js';
import { buildFeatureLexicon, buildOpinionLexicon, findMentions, isAdjectiveCandidate, type FeatureEntry, type OpinionEntry } from './lexicon.js';
import { createTagger, type TaggedSentence } from './nlp.js';
import { makeSplits } from './splits.js';
import type { Split } from './split-index.js';
import { computeStats, type DatasetStats } from './stats.js';

export interface BuildCounts {
  readonly reviews: number;
  readonly sentences: number;
  readonly sentencesInLengthRange: number;
  readonly sentencesWithFeature: number;
  readonly records: number;
  readonly positive: number;
  readonly negative: number;
}

export interface BuiltExplanationDataset {
  readonly config: BuilderConfig;
  readonly records: readonly ExplanationRecord[];
  readonly splits: readonly Split[];
  /** Distinct features of the records, most frequent first. */
  readonly features: readonly string[];
  readonly featureLexicon: readonly FeatureEntry[];
  readonly opinionLexicon: readonly OpinionEntry[];
  readonly ratingRange: readonly [number, number];
  readonly counts: BuildCounts;
  readonly stats: DatasetStats;
}

/** Run the whole builder in memory. */
export function buildExplanationDataset(
  reviews: readonly ReviewRecord[],
  config: Partial<BuilderConfig> = {},
  progress: Progress = silentProgress,
): BuiltExplanationDataset {
  const cfg = resolveBuilderConfig(config);
  if (reviews.length === 0) throw new DataError('buildExplanationDataset: no reviews to build from');

  const tagger = createTagger();
  const tagTask = progress.start('tagging reviews', reviews.length);
  const tagged: TaggedSentence[][] = [];
  for (let i = 0; i < reviews.length; i++) {
    tagged.push(tagger.tag((reviews[i] as ReviewRecord).text));
    if ((i + 1) % 200 === 0 || i + 1 === reviews.length) tagTask.update(i + 1);
  }
  tagTask.finish();

  const lexTask = progress.start('lexicons', 2);
  const lexicon = buildFeatureLexicon(tagged, cfg);
  const featureLexicon = lexicon.entries;
  const featureKeys = lexicon.byKey;
  const featureSet = new Set<string>([...featureKeys.keys(), ...featureKeys.values()]);
  lexTask.tick();
  let sentences = 0;
  let inRange = 0;
  const withFeature: { review: number; sentence: TaggedSentence; rating: number }[] = [];
  tagged.forEach((ss, r) => {
    for (const s of ss) {
      sentences += 1;
      if (s.wordCount < cfg.minWords || s.wordCount > cfg.maxWords) continue;
      inRange += 1;
      if (findMentions(s, featureKeys).length > 0) withFeature.push({ review: r, sentence: s, rating: (reviews[r] as ReviewRecord).rating });
    }
  });
  const opinionLexicon = buildOpinionLexicon(withFeature, featureSet, cfg, (w) => tagger.polarity(w));
  const polarity = new Map(opinionLexicon.map((o) => [o.word, o.polarity]));
  lexTask.tick();
  lexTask.finish();

  const records: ExplanationRecord[] = [];
  let positive = 0;
  let negative = 0;
  for (const { review, sentence } of withFeature) {
    const mentions = findMentions(sentence, featureKeys);
    let best: { feature: string; opinion: string; sentiment: number; dist: number } | undefined;
    sentence.tokens.forEach((t, j) => {
      if (!isAdjectiveCandidate(t)) return;
      const pol = polarity.get(t.w);
      if (pol === undefined) return;
      for (const m of mentions) {
        if (m.feature === t.w) continue;
        const dist = j < m.start ? m.start - j : j - m.end + 1;
        if (dist <= cfg.maxPairDistance && (!best || dist < best.dist)) best = { feature: m.feature, opinion: t.w, sentiment: t.neg ? -pol : pol, dist };
      }
    });
    if (!best) continue;
    const rv = reviews[review] as ReviewRecord;
    records.push({ user: rv.user, item: rv.item, rating: rv.rating, feature: best.feature, opinion: best.opinion, sentence: sentence.text, sentiment: best.sentiment });
    if (best.sentiment > 0) positive += 1;
    else negative += 1;
  }
  if (records.length === 0) {
    throw new DataError(
      `buildExplanationDataset: no sentence of ${cfg.minWords}..${cfg.maxWords} words holds both a feature and an opinion word ` +
        `(${reviews.length} reviews, ${featureLexicon.length} features, ${opinionLexicon.length} opinion words); too few reviews? lower minFeatureReviews/minOpinionCount`,
    );
  }

  const splitTask = progress.start('splits', cfg.splitCount);
  const users = records.map((r) => r.user);
  const items = records.map((r) => r.item);
  const splits = makeSplits(users, items, cfg.seed, cfg.splitCount, cfg.ratios);
  splitTask.update(cfg.splitCount);
  splitTask.finish();

  const freq = new Map<string, number>();
  for (const r of records) freq.set(r.feature, (freq.get(r.feature) ?? 0) + 1);
  const features = [...freq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([f]) => f);
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of records) {
    lo = Math.min(lo, r.rating);
    hi = Math.max(hi, r.rating);
  }
  return {
    config: cfg,
    records,
    splits,
    features,
    featureLexicon,
    opinionLexicon,
    ratingRange: [lo, hi],
    counts: { reviews: reviews.length, sentences, sentencesInLengthRange: inRange, sentencesWithFeature: withFeature.length, records: records.length, positive, negative },
    stats: computeStats(records, features.length),
  };
}
