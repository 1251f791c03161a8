/**
 * Feature and opinion lexicons, in the spirit of Sentires (Zhang et al., SIGIR 2014) as used to make the
 * PETER/PEPLER data, but from POS tags instead of a phrase-level sentiment analyser:
 * - features: nouns (lemmas) and two-noun phrases that occur in many reviews — document frequency
 *   df(f) = #reviews containing f; keep df ≥ minFeatureReviews (phrases: ≥ minPhraseReviews), minus a
 *   list of generic nouns ("thing", "lot", "product"), at most maxFeatures by df;
 * - opinions: adjectives in sentences that mention a feature, counted per sentence; keep count ≥
 *   minOpinionCount; polarity = sign of wink-nlp's sentiment score of the word, or — when the lexicon
 *   scores it 0 — sign(mean rating of those sentences' reviews − corpus mean) if that gap is at least
 *   ratingPolarityMargin; neutral adjectives are dropped.
 */
import type { BuilderConfig } from './builder-config.js';
import type { TaggedSentence, TaggedToken } from './nlp.js';

/** Nouns too generic to be product features. */
export const GENERIC_NOUNS: ReadonlySet<string> = new Set(
  ('thing lot bit way time day year week month hour minute one anything something everything nothing people guy person ' +
    'review star amazon product item problem issue reason use job need purchase buy order kind sort type piece couple number ' +
    'end fact point idea deal stuff question case place while friend son daughter wife husband kid family brother dad mom ' +
    'father mother life world today yesterday tomorrow look sure nobody anyone someone everyone none other others gift ' +
    'christmas birthday lots tons ton bunch rest half part matter experience opinion dollar buck cent work right love ' +
    'difference complaint change choice amount store home beginner musician player guitarist addition touch option feature ' +
    'position space ear song rock review reviewer seller shipping company manufacturer lesson note line level side head ' +
    'top bottom front back inch foot hand finger mind word name spot room area trouble first super course sounding ' +
    'plenty result purpose im luck man mine will go must like best alot em thanks self try eyes folks chance surprise ' +
    'terms rating check trick night house fall show example sense degree page move step source research preference concern ' +
    'downside fault abuse expectations fan dozen school church baby toy test process market comparison customer user ' +
    'feeling solution investment alternative improvement bonus situations effort mm pair').split(' '),
);

/** Adjectives that carry no opinion about a feature. */
export const NON_OPINION_ADJECTIVES: ReadonlySet<string> = new Set(
  ('other same first last many few much more most such own several next only whole entire sure able certain due main ' +
    'previous different extra additional single double second third least less enough similar usual particular general ' +
    'overall various whatever whichever own real actual further former latter present total full top bottom front back ' +
    'left right new old ready aware willing careful interested important necessary true free lower upper newer older ' +
    'shaped relative accessory hooked endless mute minimal obvious subjective greater big bigger small smaller huge ' +
    'little long short large larger longer shorter hard harder possible impossible likely unlikely same yellow black white red ' +
    'blue green silver brown electric acoustic classical digital analog standard straight').split(' '),
);

const WORDLIKE = /^[a-z][a-z-]*[a-z]$/;

export interface FeatureEntry {
  readonly feature: string;
  /** Number of reviews mentioning it. */
  readonly df: number;
}

export interface OpinionEntry {
  readonly word: string;
  /** +1 or -1. */
  readonly polarity: number;
  /** Sentences where it co-occurs with a feature. */
  readonly count: number;
  /** Where the polarity came from. */
  readonly source: 'lexicon' | 'ratings';
}

/** A feature mention in a sentence: token span [start, end). */
export interface Mention {
  readonly feature: string;
  readonly start: number;
  readonly end: number;
}

function isNoun(t: TaggedToken): boolean {
  return t.p === 'NOUN' || t.p === 'PROPN';
}

/** The phrase key of tokens a, b ("pop filter", "guitar string"): first surface form, second lemma. */
export function phraseKey(a: TaggedToken, b: TaggedToken): string {
  return `${a.w} ${b.l}`;
}

/** The feature lexicon: entries plus the lookup from candidate key to feature name. */
export interface FeatureLexicon {
  readonly entries: readonly FeatureEntry[];
  /** Candidate key (noun lemma, or "first-word second-lemma") → feature name. */
  readonly byKey: ReadonlyMap<string, string>;
}

function bump(m: Map<string, Map<string, number>>, key: string, surface: string): void {
  let s = m.get(key);
  if (!s) m.set(key, (s = new Map()));
  s.set(surface, (s.get(surface) ?? 0) + 1);
}

/** Most frequent surface form (ties: alphabetical). */
function topSurface(s: ReadonlyMap<string, number>): string {
  let best = '';
  let bestN = -1;
  for (const [w, n] of s) if (n > bestN || (n === bestN && w < best)) [best, bestN] = [w, n];
  return best;
}

/**
 * Count review-level document frequencies of noun (by lemma) and two-noun phrase candidates; a
 * feature is named by its most frequent surface form ("strings", "pop filter").
 */
export function buildFeatureLexicon(reviews: readonly (readonly TaggedSentence[])[], cfg: BuilderConfig): FeatureLexicon {
  const uni = new Map<string, number>();
  const bi = new Map<string, number>();
  const surfaces = new Map<string, Map<string, number>>();
  for (const sentences of reviews) {
    const seenU = new Set<string>();
    const seenB = new Set<string>();
    for (const s of sentences) {
      const t = s.tokens;
      for (let i = 0; i < t.length; i++) {
        const a = t[i] as TaggedToken;
        if (a.p === 'NOUN' && WORDLIKE.test(a.l) && WORDLIKE.test(a.w) && !GENERIC_NOUNS.has(a.l)) {
          seenU.add(a.l);
          bump(surfaces, a.l, a.w);
        }
        const b = t[i + 1];
        if (b && isNoun(a) && isNoun(b) && WORDLIKE.test(a.w) && WORDLIKE.test(b.l) && WORDLIKE.test(b.w) && !GENERIC_NOUNS.has(b.l) && !GENERIC_NOUNS.has(a.w)) {
          const k = phraseKey(a, b);
          seenB.add(k);
          bump(surfaces, k, `${a.w} ${b.w}`);
        }
      }
    }
    for (const k of seenU) uni.set(k, (uni.get(k) ?? 0) + 1);
    for (const k of seenB) bi.set(k, (bi.get(k) ?? 0) + 1);
  }
  const cands: { key: string; df: number }[] = [];
  for (const [key, df] of uni) if (df >= cfg.minFeatureReviews) cands.push({ key, df });
  for (const [key, df] of bi) if (df >= cfg.minPhraseReviews) cands.push({ key, df });
  cands.sort((x, y) => y.df - x.df || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const entries: FeatureEntry[] = [];
  const byKey = new Map<string, string>();
  const used = new Set<string>();
  for (const { key, df } of cands.slice(0, cfg.maxFeatures)) {
    let name = topSurface(surfaces.get(key) ?? new Map());
    if (name === '' || used.has(name)) name = key;
    used.add(name);
    byKey.set(key, name);
    entries.push({ feature: name, df });
  }
  return { entries, byKey };
}

/** Feature mentions of a sentence; a two-noun phrase wins over its parts. */
export function findMentions(s: TaggedSentence, byKey: ReadonlyMap<string, string>): Mention[] {
  const out: Mention[] = [];
  const t = s.tokens;
  for (let i = 0; i < t.length; i++) {
    const a = t[i] as TaggedToken;
    if (!isNoun(a)) continue;
    const b = t[i + 1];
    if (b && isNoun(b)) {
      const name = byKey.get(phraseKey(a, b));
      if (name !== undefined) {
        out.push({ feature: name, start: i, end: i + 2 });
        i += 1;
        continue;
      }
    }
    const name = byKey.get(a.l);
    if (name !== undefined) out.push({ feature: name, start: i, end: i + 1 });
  }
  return out;
}

/** Is token `t` a candidate opinion adjective? */
export function isAdjectiveCandidate(t: TaggedToken): boolean {
  return t.p === 'ADJ' && WORDLIKE.test(t.w) && !NON_OPINION_ADJECTIVES.has(t.w);
}

/**
 * Opinion lexicon from adjectives co-occurring with features. `sentenceRatings[k]` is the rating of the
 * review of the k-th sentence in `sentences` (only feature-bearing sentences need be passed).
 */
export function buildOpinionLexicon(
  sentences: readonly { readonly sentence: TaggedSentence; readonly rating: number }[],
  features: ReadonlySet<string>,
  cfg: BuilderConfig,
  lexiconPolarity: (word: string) => number,
): OpinionEntry[] {
  const count = new Map<string, number>();
  const ratingSum = new Map<string, number>();
  let totalRating = 0;
  for (const { sentence, rating } of sentences) {
    totalRating += rating;
    const seen = new Set<string>();
    for (const t of sentence.tokens) if (isAdjectiveCandidate(t) && !features.has(t.w) && !features.has(t.l)) seen.add(t.w);
    for (const w of seen) {
      count.set(w, (count.get(w) ?? 0) + 1);
      ratingSum.set(w, (ratingSum.get(w) ?? 0) + rating);
    }
  }
  const mean = sentences.length > 0 ? totalRating / sentences.length : 0;
  const out: OpinionEntry[] = [];
  for (const [word, c] of count) {
    if (c < cfg.minOpinionCount) continue;
    const lex = lexiconPolarity(word);
    if (lex !== 0) {
      out.push({ word, polarity: Math.sign(lex), count: c, source: 'lexicon' });
      continue;
    }
    const gap = (ratingSum.get(word) ?? 0) / c - mean;
    if (c >= cfg.minRatingPolarityCount && Math.abs(gap) >= cfg.ratingPolarityMargin) out.push({ word, polarity: Math.sign(gap), count: c, source: 'ratings' });
  }
  out.sort((x, y) => y.count - x.count || (x.word < y.word ? -1 : x.word > y.word ? 1 : 0));
  return out;
}
