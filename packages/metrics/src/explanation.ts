/**
 * The whole PETER / PEPLER explanation evaluation in one linear-time pass (Li et al. 2021 "Personalized
 * Transformer for Explainable Recommendation"; Li et al. 2023 "Personalized Prompt Learning for
 * Explainable Recommendation"). Values equal the reference `main.py` + `utils.py` + `bleu.py` + `rouge.py`
 * pipeline: both texts of a pair become {@link wordTokens}; BLEU-1/4 on the token lists; ROUGE on the
 * tokens joined by single spaces; USR/USN, FMR, FCR, DIV on the generated tokens; RMSE/MAE on clipped
 * predictions when every row has a rating and a prediction.
 *
 * ```ts
 * const m = explanationMetrics(rows, { features: ['room', 'staff'] });
 * m.bleu4; m.rougeL_f; m.usr; m.fmr;
 * ```
 */
import { ConfigError, DataError } from '@xrec/core';
import { BleuAccumulator, bleuFromCounts } from './bleu.js';
import { featureDiversityFromCounts } from './features.js';
import { PairInterner } from './interner.js';
import { NgramCoder, lcsLength, type PairNgramStats } from './ngram-stats.js';
import { RougeAccumulator, rougeLFromLcs, rougeNFromCounts, type RougeScores } from './rouge.js';
import { rootMeanSquareError, meanAbsoluteError } from './rating.js';
import { wordTokens } from './tokenize.js';

/** One evaluated pair. `feature` is the ground-truth feature (for FMR); ratings are optional. */
export interface ExplanationRow {
  readonly reference: string;
  readonly generated: string;
  readonly feature?: string;
  readonly rating?: number;
  readonly predicted?: number;
}

export interface ExplanationMetricsOptions {
  /**
   * The dataset's feature set (PEPLER: every feature of the whole dataset). Default: the distinct `feature`
   * values of the rows — then every row must have one.
   */
  readonly features?: Iterable<string>;
  /** Rating range for clipping predictions; give both or neither. Default: min / max of the rows' ratings. */
  readonly minRating?: number;
  readonly maxRating?: number;
  /**
   * A row without `feature`: 'error' (default) throws; 'unmatched' counts it as not matched in FMR, as the
   * reference's `None in fea_set` would.
   */
  readonly missingFeature?: 'error' | 'unmatched';
  /** Names rows in error messages, e.g. `(i) => \`rows.jsonl line ${i + 1}\``. Default `row ${i}`. */
  readonly rowLabel?: (index: number) => string;
}

/**
 * The explanation suite. BLEU and ROUGE in percent, USR/FMR/FCR/DIV as fractions, USN a count, as PEPLER's
 * logs print them. `rmse` / `mae` are present only when every row has `rating` and `predicted`.
 */
export interface ExplanationMetrics extends RougeScores {
  readonly n: number;
  readonly bleu1: number;
  readonly bleu4: number;
  readonly usr: number;
  readonly usn: number;
  readonly fmr: number;
  readonly fcr: number;
  readonly div: number;
  readonly rmse?: number;
  readonly mae?: number;
}

/** The keys of {@link ExplanationMetrics} in print order (`rmse`, `mae` only with ratings). */
export const EXPLANATION_METRIC_KEYS = [
  'n',
  'bleu1',
  'bleu4',
  'rouge1_f',
  'rouge1_p',
  'rouge1_r',
  'rouge2_f',
  'rouge2_p',
  'rouge2_r',
  'rougeL_f',
  'rougeL_p',
  'rougeL_r',
  'usr',
  'usn',
  'fmr',
  'fcr',
  'div',
] as const;

function checkRows(rows: readonly ExplanationRow[], label: (i: number) => string): void {
  if (!Array.isArray(rows)) throw new DataError(`explanationMetrics: rows must be an array, got ${typeof rows}`);
  if (rows.length === 0) throw new DataError('explanationMetrics: no rows to score (empty input)');
  if (rows.length < 2) {
    throw new DataError(`explanationMetrics: needs at least 2 rows, got 1 (DIV divides by N(N-1)/2, as in the reference)`);
  }
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === null || typeof r !== 'object') throw new DataError(`explanationMetrics: ${label(i)}: expected an object, got ${r === null ? 'null' : typeof r}`);
    if (typeof r.reference !== 'string') throw new DataError(`explanationMetrics: ${label(i)}: field 'reference' must be a string, got ${typeof r.reference}`);
    if (typeof r.generated !== 'string') throw new DataError(`explanationMetrics: ${label(i)}: field 'generated' must be a string, got ${typeof r.generated}`);
    if (r.feature !== undefined && typeof r.feature !== 'string') throw new DataError(`explanationMetrics: ${label(i)}: field 'feature' must be a string, got ${typeof r.feature}`);
    for (const k of ['rating', 'predicted'] as const) {
      const v = r[k];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
        throw new DataError(`explanationMetrics: ${label(i)}: field '${k}' must be a finite number, got ${JSON.stringify(v)}`);
      }
    }
  }
}

/** Resolve the feature set and each row's ground-truth feature, or say what is missing. */
function resolveFeatures(rows: readonly ExplanationRow[], options: ExplanationMetricsOptions, label: (i: number) => string): { featureSet: Set<string>; rowFeatures: (string | undefined)[] } {
  const mode = options.missingFeature ?? 'error';
  if (mode !== 'error' && mode !== 'unmatched') {
    throw new ConfigError(`explanationMetrics: missingFeature must be 'error' or 'unmatched', got ${JSON.stringify(mode)}`);
  }
  const missing = rows.findIndex((r) => r.feature === undefined);
  if (missing >= 0 && mode === 'error') {
    throw new DataError(
      `explanationMetrics: ${label(missing)} has no 'feature' (FMR needs the ground-truth feature of every row; missingFeature: 'unmatched' counts such rows as not matched)`,
    );
  }
  const rowFeatures = rows.map((r) => r.feature);
  const featureSet = new Set(options.features ?? rowFeatures.filter((f): f is string => f !== undefined));
  if (featureSet.size === 0) {
    throw new DataError(
      options.features === undefined
        ? "explanationMetrics: no feature set: pass options.features (the dataset's features) or give rows a 'feature' (FCR divides by the set's size)"
        : 'explanationMetrics: the feature set is empty (FCR divides by its size)',
    );
  }
  return { featureSet, rowFeatures };
}

function ratingColumns(rows: readonly ExplanationRow[], options: ExplanationMetricsOptions, label: (i: number) => string): { ratings: number[]; predicted: number[]; minRating: number; maxRating: number } | undefined {
  const has = rows.map((r) => r.rating !== undefined && r.predicted !== undefined);
  const partial = rows.findIndex((r) => (r.rating === undefined) !== (r.predicted === undefined));
  if (partial >= 0) throw new DataError(`explanationMetrics: ${label(partial)} has only one of 'rating' and 'predicted'`);
  if (!has.some(Boolean)) return undefined;
  const firstMissing = has.indexOf(false);
  if (firstMissing >= 0) {
    throw new DataError(`explanationMetrics: ${label(firstMissing)} lacks 'rating'/'predicted' while other rows have them (RMSE/MAE need every row)`);
  }
  const ratings = rows.map((r) => r.rating as number);
  const predicted = rows.map((r) => r.predicted as number);
  const { minRating, maxRating } = options;
  if ((minRating === undefined) !== (maxRating === undefined)) {
    throw new ConfigError(`explanationMetrics: give both minRating and maxRating or neither, got minRating=${minRating}, maxRating=${maxRating}`);
  }
  if (minRating !== undefined && maxRating !== undefined) return { ratings, predicted, minRating, maxRating };
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of ratings) {
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  return { ratings, predicted, minRating: lo, maxRating: hi };
}

/**
 * Every explanation metric of PETER / PEPLER for `rows` (N >= 2):
 *
 * - bleu1, bleu4: corpus BLEU ({@link bleuFromCounts}) with N = 1 and 4, times 100
 * - rouge{1,2,L}_{f,p,r}: per-pair ROUGE ({@link rougeNFromCounts}, {@link rougeLFromLcs}) averaged, times 100
 * - usr = USN / N, usn = #distinct generated token sequences
 * - fmr = (1/N) sum_i 1[f_i ∈ F_i],  fcr = |∪_i F_i| / |features|,
 *   div = sum_{i<j} |F_i ∩ F_j| / (N(N-1)/2) = sum_f C(c_f, 2) / (N(N-1)/2)
 *   where F_i = {generated tokens of row i} ∩ features, c_f = #{i : f ∈ F_i}
 * - rmse, mae: on predictions clipped to [minRating, maxRating]
 *
 * Documented values where the reference has none: an empty generated text is an empty token list (BLEU
 * counts nothing for it; ROUGE scores it as the one-word sentence "" as `split(" ")` does); an all-empty
 * corpus has BLEU 0 (the reference divides by zero). Errors: no rows, one row, a row without `feature`
 * (unless `missingFeature: 'unmatched'`), no feature set at all, ratings on some rows only.
 */
export function explanationMetrics(rows: readonly ExplanationRow[], options: ExplanationMetricsOptions = {}): ExplanationMetrics {
  const label = options.rowLabel ?? ((i: number) => `row ${i}`);
  checkRows(rows, label);
  const { featureSet, rowFeatures } = resolveFeatures(rows, options, label);
  const ratingCols = ratingColumns(rows, options, label);
  const n = rows.length;

  const coder = new NgramCoder();
  const emptyWord = coder.vocab.id(''); // ROUGE's word for an empty sentence; never a real token
  const bleu = new BleuAccumulator(4);
  const rouge = new RougeAccumulator();
  const sentenceTrie = new PairInterner(n * 4);
  const uniqueSentences = new Set<number>();

  // Features by index; featureOfToken[tokenId] = feature index, -1 = not a feature (filled lazily).
  const featureIndex = new Map<string, number>();
  for (const f of featureSet) featureIndex.set(f, featureIndex.size);
  const featureOfToken: number[] = [];
  const featureCount = new Float64Array(featureIndex.size);
  const lastRow = new Int32Array(featureIndex.size).fill(-1);
  let matched = 0;
  let scratch = new Int32Array(128);
  const clipped = [0, 0, 0, 0];

  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const gen = coder.encodeTokens(wordTokens(row.generated));
    const ref = coder.encodeTokens(wordTokens(row.reference));

    // BLEU (orders 1..4) and ROUGE-1/2 from one counting pass per order.
    const stats = coder.compare(gen, ref, 4);
    const s1 = stats[0]!;
    const s2 = stats[1]!;
    for (let k = 0; k < 4; k++) clipped[k] = stats[k]!.clipped;
    bleu.addClipped(gen.length, ref.length, clipped);

    if (gen.length > 0 && ref.length > 0) {
      if (scratch.length <= ref.length) scratch = new Int32Array(ref.length * 2 + 1);
      rouge.add(
        rougeNFromCounts(s1.distinctBoth, s1.distinctGen, s1.distinctRef),
        rougeNFromCounts(s2.distinctBoth, s2.distinctGen, s2.distinctRef),
        rougeLFromLcs(lcsLength(gen, ref, scratch), ref.length, gen.length),
      );
    } else {
      // ' '.join([]) == '' and ''.split(' ') == [''], so an empty side is the one-word sentence "".
      const gw = gen.length > 0 ? gen : Int32Array.of(emptyWord);
      const rw = ref.length > 0 ? ref : Int32Array.of(emptyWord);
      const [t1, t2] = coder.compare(gw, rw, 2) as [PairNgramStats, PairNgramStats];
      rouge.add(
        rougeNFromCounts(t1.distinctBoth, t1.distinctGen, t1.distinctRef),
        rougeNFromCounts(t2.distinctBoth, t2.distinctGen, t2.distinctRef),
        rougeLFromLcs(lcsLength(gw, rw), rw.length, gw.length),
      );
    }

    // USR: a sequence is its node in a trie of token ids (-1 = the empty sequence).
    let node = -1;
    for (let t = 0; t < gen.length; t++) node = sentenceTrie.id(node + 1, gen[t]!);
    uniqueSentences.add(node);

    // Features mentioned by this output (each counted once per row).
    const rf = rowFeatures[i];
    const truth = rf === undefined ? -2 : (featureIndex.get(rf) ?? -2);
    let hit = false;
    for (let t = 0; t < gen.length; t++) {
      const tok = gen[t]!;
      let f = featureOfToken[tok];
      if (f === undefined) {
        // Token ids are dense and first-seen ordered: fill the cache up to this id, one lookup per token.
        for (let k = featureOfToken.length; k <= tok; k++) featureOfToken.push(featureIndex.get(coder.vocab.token(k)) ?? -1);
        f = featureOfToken[tok]!;
      }
      if (f < 0) continue;
      if (lastRow[f] !== i) {
        lastRow[f] = i;
        featureCount[f]! += 1;
        if (f === truth) hit = true;
      }
    }
    if (hit) matched++;
  }

  const bleuCounts = bleu.counts();
  const rougeScores = rouge.scores();
  let covered = 0;
  for (const c of featureCount) if (c > 0) covered++;
  const result: ExplanationMetrics = {
    n,
    bleu1: bleuFromCounts(bleuCounts, 1).bleu * 100,
    bleu4: bleuFromCounts(bleuCounts, 4).bleu * 100,
    ...rougeScores,
    usr: uniqueSentences.size / n,
    usn: uniqueSentences.size,
    fmr: matched / n,
    fcr: covered / featureSet.size,
    div: featureDiversityFromCounts(featureCount, n),
  };
  if (ratingCols === undefined) return result;
  const range = { minRating: ratingCols.minRating, maxRating: ratingCols.maxRating };
  return {
    ...result,
    rmse: rootMeanSquareError(ratingCols.ratings, ratingCols.predicted, range),
    mae: meanAbsoluteError(ratingCols.ratings, ratingCols.predicted, range),
  };
}
