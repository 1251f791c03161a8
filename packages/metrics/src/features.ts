/**
 * Explainability and diversity metrics of PETER / PEPLER (Li et al. 2021, 2023) over generated token
 * sequences: USR/USN (unique sentences), FMR (feature matching), FCR (feature coverage) and DIV (feature
 * diversity). Features are matched per word token, as the reference's `feature_detect` does: a feature is
 * "in" an output when one of its tokens equals the feature string (so multi-word features never match).
 *
 * The reference computes USR and DIV with O(N^2) pair loops; here both are O(total tokens):
 * USR interns each sequence to one integer, DIV counts, for each feature f, the number c_f of outputs
 * mentioning it, using   sum_{i<j} |F_i ∩ F_j| = sum_f C(c_f, 2)   (each shared feature of a pair i<j is
 * one pair of outputs mentioning f, and every such pair is counted once on each side).
 */
import { DataError, ShapeError } from '@xrec/core';
import { PairInterner, StringInterner } from './interner.js';

/** USR and USN of a batch of outputs. */
export interface UniqueSentences {
  /** Unique sentence ratio: USN / N. */
  readonly usr: number;
  /** Unique sentence number: the count of distinct token sequences. */
  readonly usn: number;
}

function checkNonEmpty(where: string, n: number): void {
  if (n === 0) throw new DataError(`${where}: no outputs to score (empty input)`);
}

/**
 * `unique_sentence_percent`: USN = number of distinct token sequences (equal iff same length and equal
 * token by token; an empty output is one sequence), USR = USN / N.
 */
export function uniqueSentenceRatio(sequences: readonly (readonly string[])[]): UniqueSentences {
  checkNonEmpty('uniqueSentenceRatio', sequences.length);
  const vocab = new StringInterner();
  const trie = new PairInterner(sequences.length * 4);
  const seen = new Set<number>();
  for (const seq of sequences) {
    // A sequence's id is its node in a trie of token ids; -1 is the root (the empty sequence).
    let node = -1;
    for (const t of seq) node = trie.id(node + 1, vocab.id(t));
    seen.add(node);
  }
  return { usr: seen.size / sequences.length, usn: seen.size };
}

/** `feature_detect`: for each output, the set of its tokens that are in `featureSet`. */
export function featureDetect(sequences: readonly (readonly string[])[], featureSet: ReadonlySet<string>): Set<string>[] {
  return sequences.map((seq) => {
    const found = new Set<string>();
    for (const t of seq) if (featureSet.has(t)) found.add(t);
    return found;
  });
}

/**
 * `feature_matching_ratio`: FMR = (1/N) * sum_i 1[ f_i ∈ F_i ], with f_i the ground-truth feature of pair i
 * and F_i the detected features of output i.
 */
export function featureMatchingRatio(featureBatch: readonly ReadonlySet<string>[], testFeatures: readonly string[]): number {
  checkNonEmpty('featureMatchingRatio', featureBatch.length);
  if (featureBatch.length !== testFeatures.length) {
    throw new ShapeError(
      `featureMatchingRatio: ${featureBatch.length} outputs but ${testFeatures.length} ground-truth features`,
    );
  }
  let count = 0;
  for (let i = 0; i < featureBatch.length; i++) if (featureBatch[i]!.has(testFeatures[i]!)) count++;
  return count / featureBatch.length;
}

/** `feature_coverage_ratio`: FCR = |F_1 ∪ ... ∪ F_N| / |feature set|. The feature set must be non-empty. */
export function featureCoverageRatio(featureBatch: readonly ReadonlySet<string>[], featureSet: ReadonlySet<string>): number {
  if (featureSet.size === 0) throw new DataError('featureCoverageRatio: the feature set is empty (FCR divides by its size)');
  const union = new Set<string>();
  for (const fb of featureBatch) for (const f of fb) union.add(f);
  return union.size / featureSet.size;
}

/**
 * `feature_diversity`: DIV = sum_{i<j} |F_i ∩ F_j| / (N (N - 1) / 2), computed in linear time as
 * sum_f C(c_f, 2) / (N (N - 1) / 2) with c_f = #{i : f ∈ F_i}. Lower is more diverse.
 * Needs N >= 2 (the reference divides by zero for N = 1).
 */
export function featureDiversity(featureBatch: readonly ReadonlySet<string>[]): number {
  const counts = new Map<string, number>();
  for (const fb of featureBatch) for (const f of fb) counts.set(f, (counts.get(f) ?? 0) + 1);
  return featureDiversityFromCounts(counts.values(), featureBatch.length);
}

/**
 * DIV from per-feature counts: sum_f C(c_f, 2) / (N (N - 1) / 2), where `counts[f]` = c_f = number of the
 * N outputs whose detected feature set contains f. Needs N >= 2.
 */
export function featureDiversityFromCounts(counts: Iterable<number>, n: number): number {
  if (!Number.isInteger(n) || n < 2) throw new DataError(`featureDiversity: needs at least 2 outputs, got ${n} (DIV divides by N(N-1)/2)`);
  let total = 0;
  for (const c of counts) total += (c * (c - 1)) / 2;
  return total / ((n * (n - 1)) / 2);
}

/** DIV by the reference's O(N^2) pair loop; kept to verify {@link featureDiversity}. Avoid for large N. */
export function featureDiversityPairwise(featureBatch: readonly ReadonlySet<string>[]): number {
  const n = featureBatch.length;
  if (n < 2) throw new DataError(`featureDiversityPairwise: needs at least 2 outputs, got ${n}`);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const x = featureBatch[i]!;
    for (let j = i + 1; j < n; j++) {
      const y = featureBatch[j]!;
      for (const f of x) if (y.has(f)) total++;
    }
  }
  return total / ((n * (n - 1)) / 2);
}
