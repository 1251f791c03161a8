/**
 * ROUGE-1, ROUGE-2 and ROUGE-L (Lin 2004) exactly as the `rouge.py` PETER and PEPLER use (tensorflow/nmt's
 * copy of tf-seq2seq's sumy-derived implementation): per pair of sentences, n-grams are taken as SETS,
 * ROUGE-L is sentence-level LCS with the F form whose beta is P/R, and F/P/R are averaged over pairs.
 * Sentences are split on single spaces (Python `str.split(" ")`), so an empty sentence is one empty word.
 */
import { ConfigError, DataError } from '@xrec/core';
import { checkParallel } from './check.js';
import { NgramCoder, lcsLength, type PairNgramStats } from './ngram-stats.js';

/** F-measure, precision and recall of one pair, as fractions. */
export interface RougeTriple {
  readonly f: number;
  readonly p: number;
  readonly r: number;
}

/** Averages over pairs, in percent (PEPLER multiplies the fractions by 100). */
export interface RougeScores {
  readonly rouge1_f: number;
  readonly rouge1_p: number;
  readonly rouge1_r: number;
  readonly rouge2_f: number;
  readonly rouge2_p: number;
  readonly rouge2_r: number;
  readonly rougeL_f: number;
  readonly rougeL_p: number;
  readonly rougeL_r: number;
}

/**
 * ROUGE-N of one pair from set sizes (`rouge_n`):
 *
 *   P = |E ∩ R| / |E|  (0 when |E| = 0),   R = |E ∩ R| / |R|  (0 when |R| = 0)
 *   F = 2 * (P * R) / (P + R + 1e-8)
 *
 * with E, R the SETS of n-grams of the evaluated (generated) and reference words. Note the 1e-8: F of a
 * text against itself is 2 / (2 + 1e-8), not exactly 1.
 */
export function rougeNFromCounts(overlap: number, evaluatedCount: number, referenceCount: number): RougeTriple {
  const p = evaluatedCount === 0 ? 0 : overlap / evaluatedCount;
  const r = referenceCount === 0 ? 0 : overlap / referenceCount;
  const f = 2.0 * ((p * r) / (p + r + 1e-8));
  return { f, p, r };
}

/**
 * Sentence-level ROUGE-L of one pair from the LCS length (`_f_p_r_lcs`), m = reference words,
 * n = evaluated words:
 *
 *   R = LCS / m,   P = LCS / n,   beta = P / (R + 1e-12)
 *   F = ((1 + beta^2) * R * P) / (R + beta^2 * P + 1e-12)
 */
export function rougeLFromLcs(lcs: number, m: number, n: number): RougeTriple {
  const r = lcs / m;
  const p = lcs / n;
  const beta = p / (r + 1e-12);
  const beta2 = beta * beta;
  const num = (1 + beta2) * r * p;
  const denom = r + beta2 * p;
  const f = num / (denom + 1e-12);
  return { f, p, r };
}

/** Python `s.split(" ")`: every single space separates, so "" gives [""] and "a  b" gives ["a", "", "b"]. */
export function splitOnSpace(s: string): string[] {
  return s.split(' ');
}

/** ROUGE-N of one pair of word lists (generated = evaluated). */
export function rougeN(evaluatedWords: readonly string[], referenceWords: readonly string[], n: number): RougeTriple {
  const coder = new NgramCoder();
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`rougeN: n must be an integer >= 1, got ${n}`);
  const s = coder.compare(coder.encodeTokens(evaluatedWords), coder.encodeTokens(referenceWords), n)[n - 1]!;
  return rougeNFromCounts(s.distinctBoth, s.distinctGen, s.distinctRef);
}

/** Sentence-level ROUGE-L of one pair of word lists (generated = evaluated). Both must be non-empty. */
export function rougeL(evaluatedWords: readonly string[], referenceWords: readonly string[]): RougeTriple {
  if (evaluatedWords.length === 0 || referenceWords.length === 0) {
    throw new DataError('rougeL: word lists must be non-empty (split a sentence with splitOnSpace: "" is [""])');
  }
  const coder = new NgramCoder();
  const e = coder.encodeTokens(evaluatedWords);
  const r = coder.encodeTokens(referenceWords);
  return rougeLFromLcs(lcsLength(e, r), r.length, e.length);
}

/** Sums of per-pair triples; `scores()` divides by the pair count and multiplies by 100. */
export class RougeAccumulator {
  private readonly sums = new Float64Array(9);
  private n = 0;

  add(r1: RougeTriple, r2: RougeTriple, rl: RougeTriple): void {
    const s = this.sums;
    s[0]! += r1.f;
    s[1]! += r1.p;
    s[2]! += r1.r;
    s[3]! += r2.f;
    s[4]! += r2.p;
    s[5]! += r2.r;
    s[6]! += rl.f;
    s[7]! += rl.p;
    s[8]! += rl.r;
    this.n++;
  }

  /** Means over pairs times 100. */
  scores(): RougeScores {
    if (this.n === 0) throw new DataError('rouge: no pairs to score (empty input)');
    const m = (i: number): number => (this.sums[i]! / this.n) * 100;
    return {
      rouge1_f: m(0),
      rouge1_p: m(1),
      rouge1_r: m(2),
      rouge2_f: m(3),
      rouge2_p: m(4),
      rouge2_r: m(5),
      rougeL_f: m(6),
      rougeL_p: m(7),
      rougeL_r: m(8),
    };
  }
}

/**
 * PEPLER's `rouge_score(references, generated)`: for every pair of sentences (words = `split(" ")`),
 * ROUGE-1 and ROUGE-2 ({@link rougeNFromCounts}) and ROUGE-L ({@link rougeLFromLcs}); each of the nine
 * values averaged over pairs and multiplied by 100. Pass sentences as PEPLER does: word tokens joined by
 * single spaces (`wordTokens(text).join(" ")`).
 */
export function rougeScore(references: readonly string[], generated: readonly string[]): RougeScores {
  checkParallel('rougeScore', references, generated);
  const coder = new NgramCoder();
  const acc = new RougeAccumulator();
  let scratch = new Int32Array(64);
  for (let i = 0; i < references.length; i++) {
    const e = coder.encodeTokens(splitOnSpace(generated[i]!));
    const r = coder.encodeTokens(splitOnSpace(references[i]!));
    const [s1, s2] = coder.compare(e, r, 2) as [PairNgramStats, PairNgramStats];
    if (scratch.length <= r.length) scratch = new Int32Array(r.length * 2 + 1);
    acc.add(
      rougeNFromCounts(s1.distinctBoth, s1.distinctGen, s1.distinctRef),
      rougeNFromCounts(s2.distinctBoth, s2.distinctGen, s2.distinctRef),
      rougeLFromLcs(lcsLength(e, r, scratch), r.length, e.length),
    );
  }
  return acc.scores();
}
