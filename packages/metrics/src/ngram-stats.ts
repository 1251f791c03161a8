/**
 * Per-pair n-gram statistics shared by BLEU (clipped counts) and ROUGE-N (sets), computed from interned
 * token ids: every n-gram is one integer, so a pair's order-k statistics are one merge of two sorted
 * integer arrays — O(L log L) per pair instead of hashing tuples.
 *
 * Internal to the package.
 */
import { PairInterner, StringInterner } from './interner.js';

/** Turns token sequences into integer n-gram ids, consistently across a whole corpus. */
export class NgramCoder {
  readonly vocab = new StringInterner();
  private readonly pairs: PairInterner[] = [];

  /** Intern a token list: `[T]` token ids. */
  encodeTokens(tokens: readonly string[]): Int32Array {
    const ids = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) ids[i] = this.vocab.id(tokens[i]!);
    return ids;
  }

  /**
   * Ids of the n-grams of `ids` for orders 1..maxOrder, each sorted ascending: result[k-1] has
   * `max(0, T-k+1)` entries. Order 1 ids are the token ids; order k ids come from a per-order pair table.
   */
  sortedNgrams(ids: Int32Array, maxOrder: number): Int32Array[] {
    const out: Int32Array[] = [];
    let prev = ids;
    out.push(Int32Array.from(ids).sort());
    for (let k = 2; k <= maxOrder; k++) {
      const len = Math.max(0, ids.length - k + 1);
      const table = this.pairs[k - 2] ?? (this.pairs[k - 2] = new PairInterner());
      const cur = new Int32Array(len);
      for (let i = 0; i < len; i++) cur[i] = table.id(prev[i]!, ids[i + k - 1]!);
      prev = cur;
      out.push(Int32Array.from(cur).sort());
    }
    return out;
  }
}

/** What one merge of two sorted n-gram id arrays yields. */
export interface PairNgramStats {
  /** BLEU's clipped matches: sum over distinct n-grams g of min(count_gen(g), count_ref(g)). */
  clipped: number;
  /** Distinct n-grams of the generated text (ROUGE-N's evaluated set size). */
  distinctGen: number;
  /** Distinct n-grams of the reference (ROUGE-N's reference set size). */
  distinctRef: number;
  /** Distinct n-grams in both (ROUGE-N's overlapping set size). */
  distinctBoth: number;
}

/** Merge two ascending arrays of n-gram ids into {@link PairNgramStats}. */
export function compareSortedNgrams(gen: Int32Array, ref: Int32Array): PairNgramStats {
  let i = 0;
  let j = 0;
  let clipped = 0;
  let distinctGen = 0;
  let distinctRef = 0;
  let distinctBoth = 0;
  const ng = gen.length;
  const nr = ref.length;
  while (i < ng || j < nr) {
    const a = i < ng ? gen[i]! : Infinity;
    const b = j < nr ? ref[j]! : Infinity;
    const v = a < b ? a : b;
    let cg = 0;
    while (i < ng && gen[i] === v) {
      i++;
      cg++;
    }
    let cr = 0;
    while (j < nr && ref[j] === v) {
      j++;
      cr++;
    }
    if (cg > 0) distinctGen++;
    if (cr > 0) distinctRef++;
    if (cg > 0 && cr > 0) {
      distinctBoth++;
      clipped += cg < cr ? cg : cr;
    }
  }
  return { clipped, distinctGen, distinctRef, distinctBoth };
}

/**
 * Length of the longest common subsequence of two id sequences, by the classic dynamic programme
 * `T[i][j] = T[i-1][j-1] + 1` if `x[i] = y[j]`, else `max(T[i-1][j], T[i][j-1])`, kept to one row.
 * `scratch` (length >= y.length + 1) is reused between calls to avoid allocation.
 */
export function lcsLength(x: ArrayLike<number>, y: ArrayLike<number>, scratch?: Int32Array): number {
  const m = y.length;
  if (x.length === 0 || m === 0) return 0;
  const row = scratch && scratch.length > m ? scratch : new Int32Array(m + 1);
  row.fill(0, 0, m + 1);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    let diag = 0; // T[i-1][j-1]
    for (let j = 1; j <= m; j++) {
      const up = row[j]!; // T[i-1][j]
      let v: number;
      if (xi === y[j - 1]) v = diag + 1;
      else {
        const left = row[j - 1]!; // T[i][j-1]
        v = up > left ? up : left;
      }
      diag = up;
      row[j] = v;
    }
  }
  return row[m]!;
}
