/**
 * Corpus-level BLEU (Papineni et al. 2002) exactly as tensorflow/nmt `compute_bleu`, which PETER and PEPLER
 * call through `bleu_score(references, generated, n_gram, smooth)` with one reference per output.
 */
import { ConfigError, DataError, ShapeError } from '@xrec/core';
import { checkParallel } from './check.js';
import { NgramCoder } from './ngram-stats.js';

/** Corpus totals BLEU is computed from (all integers). */
export interface BleuCounts {
  /** matches[k-1] = sum over pairs of clipped order-k matches. */
  readonly matches: readonly number[];
  /** possible[k-1] = sum over pairs of max(0, len(generated) - k + 1). */
  readonly possible: readonly number[];
  /** c = sum of generated lengths. */
  readonly translationLength: number;
  /** r = sum of reference lengths (the shortest reference per pair; here the only one). */
  readonly referenceLength: number;
}

/** Everything `compute_bleu` returns; `bleu` is a fraction in [0, 1]. */
export interface BleuResult {
  readonly bleu: number;
  readonly precisions: readonly number[];
  readonly brevityPenalty: number;
  /** c / r. */
  readonly ratio: number;
  readonly translationLength: number;
  readonly referenceLength: number;
}

export interface BleuOptions {
  /** Highest n-gram order N (1 for BLEU-1, 4 for BLEU-4). Default 4. */
  readonly maxOrder?: number;
  /** Lin & Och (2004) add-one smoothing of every order's precision, as the tensorflow/nmt `smooth=True` that PEPLER copies (some later copies leave order 1 unsmoothed). Default false. */
  readonly smooth?: boolean;
}

function checkMaxOrder(maxOrder: number, where: string): void {
  if (!Number.isInteger(maxOrder) || maxOrder < 1) {
    throw new ConfigError(`${where}: maxOrder must be an integer >= 1, got ${maxOrder}`);
  }
}

/**
 * BLEU from corpus counts (nmt's second half):
 *
 *   p_k = m_k / l_k          (0 when l_k = 0; with smoothing p_k = (m_k + 1) / (l_k + 1))
 *   G   = exp( sum_{k=1..N} (1/N) log p_k )   if min_k p_k > 0, else 0
 *   BP  = 1 if c / r > 1, else exp(1 - r / c)
 *   BLEU = G * BP
 *
 * Documented values where the reference divides by zero: r = 0 gives BLEU 0 (as later nmt versions);
 * c = 0 gives BP = 0 and BLEU 0 (the reference raises ZeroDivisionError; G is 0 there anyway).
 */
export function bleuFromCounts(counts: BleuCounts, maxOrder: number, smooth = false): BleuResult {
  checkMaxOrder(maxOrder, 'bleuFromCounts');
  if (counts.matches.length < maxOrder || counts.possible.length < maxOrder) {
    throw new ShapeError(`bleuFromCounts: counts hold ${counts.matches.length} orders, maxOrder is ${maxOrder}`);
  }
  const c = counts.translationLength;
  const r = counts.referenceLength;
  const precisions: number[] = [];
  for (let i = 0; i < maxOrder; i++) {
    const m = counts.matches[i]!;
    const l = counts.possible[i]!;
    if (smooth) precisions.push((m + 1) / (l + 1));
    else precisions.push(l > 0 ? m / l : 0);
  }
  if (r === 0) return { bleu: 0, precisions, brevityPenalty: 0, ratio: 0, translationLength: c, referenceLength: r };
  let geoMean = 0;
  if (Math.min(...precisions) > 0) {
    let logSum = 0;
    for (const p of precisions) logSum += (1 / maxOrder) * Math.log(p);
    geoMean = Math.exp(logSum);
  }
  const ratio = c / r;
  const brevityPenalty = ratio > 1 ? 1 : c === 0 ? 0 : Math.exp(1 - 1 / ratio);
  return { bleu: geoMean * brevityPenalty, precisions, brevityPenalty, ratio, translationLength: c, referenceLength: r };
}

/** An accumulator of {@link BleuCounts} over pairs (used by the fast suite). */
export class BleuAccumulator {
  readonly matches: number[];
  readonly possible: number[];
  translationLength = 0;
  referenceLength = 0;

  constructor(readonly maxOrder: number) {
    this.matches = new Array<number>(maxOrder).fill(0);
    this.possible = new Array<number>(maxOrder).fill(0);
  }

  /** Add one pair given its clipped matches per order (`clipped[k-1]` for order k). */
  addClipped(genLength: number, refLength: number, clipped: readonly number[]): void {
    this.translationLength += genLength;
    this.referenceLength += refLength;
    for (let k = 1; k <= this.maxOrder; k++) {
      this.matches[k - 1]! += clipped[k - 1]!;
      const possible = genLength - k + 1;
      if (possible > 0) this.possible[k - 1]! += possible;
    }
  }

  counts(): BleuCounts {
    return {
      matches: [...this.matches],
      possible: [...this.possible],
      translationLength: this.translationLength,
      referenceLength: this.referenceLength,
    };
  }
}

/**
 * tensorflow/nmt `compute_bleu` with one tokenized reference per tokenized output. Over all pairs:
 *
 *   m_k = sum_pairs sum_{g in k-grams} min(count_gen(g), count_ref(g))     (clipped matches)
 *   l_k = sum_pairs max(0, |gen| - k + 1),   c = sum |gen|,   r = sum |ref|
 *
 * then {@link bleuFromCounts}. Returns the fraction (PEPLER multiplies by 100: see {@link bleuScore}).
 */
export function computeBleu(
  references: readonly (readonly string[])[],
  generated: readonly (readonly string[])[],
  options: BleuOptions = {},
): BleuResult {
  const maxOrder = options.maxOrder ?? 4;
  checkMaxOrder(maxOrder, 'computeBleu');
  checkParallel('computeBleu', references, generated);
  if (references.length === 0) throw new DataError('computeBleu: no pairs to score (empty input)');
  const coder = new NgramCoder();
  const acc = new BleuAccumulator(maxOrder);
  for (let i = 0; i < references.length; i++) {
    const g = coder.encodeTokens(generated[i]!);
    const r = coder.encodeTokens(references[i]!);
    acc.addClipped(g.length, r.length, coder.compare(g, r, maxOrder).map((st) => st.clipped));
  }
  return bleuFromCounts(acc.counts(), maxOrder, options.smooth ?? false);
}

/**
 * PEPLER's `bleu_score(references, generated, n_gram, smooth)`: {@link computeBleu} times 100.
 * BLEU-1 is `bleuScore(refs, gens, 1)`, BLEU-4 is `bleuScore(refs, gens, 4)`.
 */
export function bleuScore(
  references: readonly (readonly string[])[],
  generated: readonly (readonly string[])[],
  nGram = 4,
  smooth = false,
): number {
  return computeBleu(references, generated, { maxOrder: nGram, smooth }).bleu * 100;
}
