/**
 * Per-pair n-gram statistics shared by BLEU (clipped counts) and ROUGE-N (sets), computed from interned
 * token ids in O(L * maxOrder) per pair (see {@link NgramCoder.compare}), and the LCS length for ROUGE-L.
 *
 * Internal to the package.
 */
import { StringInterner } from './interner.js';

/** What BLEU and ROUGE-N need from one pair at one n-gram order. */
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

/**
 * Interns token strings to global ids (`encodeTokens`) and compares the n-grams of one pair (`compare`).
 *
 * For a pair, every n-gram of either side gets a small local id from a per-pair trie,
 * `id(w1..wk) = local(id(w1..wk-1), wk)`, held in an open-addressing table that is reset (by a stamp) for
 * the next pair. Equal n-grams get equal ids, so counting them is array indexing — O(L * maxOrder) per
 * pair, no sorting, no tuples, and nothing grows with the corpus except the vocabulary.
 */
export class NgramCoder {
  readonly vocab = new StringInterner();
  private keysA = new Int32Array(0);
  private keysB = new Int32Array(0);
  private vals = new Int32Array(0);
  private stamps = new Int32Array(0);
  private stamp = 0;
  private mask = 0;
  private next = 0;
  private countGen = new Int32Array(0);
  private countRef = new Int32Array(0);
  private idsGen = new Int32Array(0);
  private idsRef = new Int32Array(0);

  /** Intern a token list: `[T]` token ids. */
  encodeTokens(tokens: readonly string[]): Int32Array {
    const ids = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) ids[i] = this.vocab.id(tokens[i]!);
    return ids;
  }

  private reset(maxEntries: number): void {
    if (this.vals.length < maxEntries * 2) {
      let cap = 64;
      while (cap < maxEntries * 2) cap <<= 1;
      this.keysA = new Int32Array(cap);
      this.keysB = new Int32Array(cap);
      this.vals = new Int32Array(cap);
      this.stamps = new Int32Array(cap);
      this.stamp = 0;
      this.mask = cap - 1;
    }
    if (this.countGen.length < maxEntries) {
      this.countGen = new Int32Array(maxEntries);
      this.countRef = new Int32Array(maxEntries);
    }
    this.stamp++;
    this.next = 0;
  }

  /** Local id of the n-gram `prefix + token` (prefix 0 = the empty n-gram, else local id + 1). */
  private local(prefix: number, token: number): number {
    let h = Math.imul(prefix, 0x9e3779b1) ^ token;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h &= this.mask;
    const stamps = this.stamps;
    for (;;) {
      if (stamps[h] !== this.stamp) {
        stamps[h] = this.stamp;
        this.keysA[h] = prefix;
        this.keysB[h] = token;
        this.vals[h] = this.next;
        return this.next++;
      }
      if (this.keysA[h] === prefix && this.keysB[h] === token) return this.vals[h]!;
      h = (h + 1) & this.mask;
    }
  }

  /**
   * N-gram statistics of one pair for orders 1..maxOrder (`result[k-1]` for order k) from token ids.
   * Order k has max(0, T - k + 1) n-grams per side.
   */
  compare(gen: Int32Array, ref: Int32Array, maxOrder: number): PairNgramStats[] {
    const lg = gen.length;
    const lr = ref.length;
    this.reset((lg + lr) * maxOrder + 1);
    if (this.idsGen.length < lg) this.idsGen = new Int32Array(lg * 2);
    if (this.idsRef.length < lr) this.idsRef = new Int32Array(lr * 2);
    const ig = this.idsGen;
    const ir = this.idsRef;
    const cg = this.countGen;
    const cr = this.countRef;
    const out: PairNgramStats[] = [];
    for (let k = 1; k <= maxOrder; k++) {
      // ids of order k overwrite those of order k-1 in place: ig[i] covers gen[i .. i+k-1].
      const ng = Math.max(0, lg - k + 1);
      const nr = Math.max(0, lr - k + 1);
      const first = this.next;
      for (let i = 0; i < ng; i++) ig[i] = this.local(k === 1 ? 0 : ig[i]! + 1, gen[i + k - 1]!);
      for (let i = 0; i < nr; i++) ir[i] = this.local(k === 1 ? 0 : ir[i]! + 1, ref[i + k - 1]!);
      const last = this.next;
      cg.fill(0, first, last);
      cr.fill(0, first, last);
      for (let i = 0; i < ng; i++) cg[ig[i]!]!++;
      for (let i = 0; i < nr; i++) cr[ir[i]!]!++;
      let clipped = 0;
      let distinctGen = 0;
      let distinctRef = 0;
      let distinctBoth = 0;
      for (let id = first; id < last; id++) {
        const a = cg[id]!;
        const b = cr[id]!;
        if (a > 0) distinctGen++;
        if (b > 0) distinctRef++;
        if (a > 0 && b > 0) {
          distinctBoth++;
          clipped += a < b ? a : b;
        }
      }
      out.push({ clipped, distinctGen, distinctRef, distinctBoth });
    }
    return out;
  }
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
