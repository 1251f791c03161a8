/**
 * The byte-level BPE model (Sennrich et al. 2016; byte-level variant of Radford et al. 2019): a vocabulary of
 * byte-level token spellings and an ordered merge list. Encoding one pre-token:
 *   1. its UTF-8 bytes become one symbol each (the id of the single-byte token);
 *   2. repeatedly the adjacent pair with the lowest merge rank (leftmost on ties) is replaced by its merged
 *      token, until no adjacent pair is a merge.
 * This is GPT-2's `bpe()` (which merges every occurrence of the best pair per pass; both orders give the same
 * result because a merge's result only ever takes part in later-ranked merges).
 * Short pieces use an O(n^2) array scan; long ones a heap over a linked list, O(n log n).
 */
import { VocabError } from '@xrec/core';
import { BYTE_TO_UNICODE, unicodeStringToBytes } from './byte-unicode.js';
import { PairTable } from './pair-table.js';
import { utf8Encode } from './utf8.js';

/** Everything that defines a byte-level BPE model. */
export interface BpeModelSpec {
  /** Token spelling per id (byte-level characters, see byte-unicode.ts); ids are dense 0..n-1. */
  readonly tokens: readonly string[];
  /** Merge list in rank order: [left, right] spellings; the merged token `left + right` must be in `tokens`. */
  readonly merges: readonly (readonly [string, string])[];
  /** Hugging Face `ignore_merges`: a pre-token that is itself a token is emitted whole. Default false. */
  readonly ignoreMerges?: boolean;
}

/** Pieces up to this many bytes use the array scan; longer ones use the heap. */
const SMALL_PIECE = 96;

export class BpeModel {
  readonly tokens: readonly string[];
  readonly merges: readonly (readonly [string, string])[];
  readonly ignoreMerges: boolean;
  /** Spelling -> id. */
  readonly tokenToId: ReadonlyMap<string, number>;
  /** Id of the single-byte token of each byte value. */
  readonly byteToId: Int32Array;
  /** Bytes each id stands for. */
  readonly tokenBytes: readonly Uint8Array[];
  private readonly pairs: PairTable;
  private sym = new Int32Array(256);
  private rank = new Int32Array(256);

  /** @param where names the source (file path) in error messages. */
  constructor(spec: BpeModelSpec, where: string) {
    this.tokens = spec.tokens;
    this.merges = spec.merges;
    this.ignoreMerges = spec.ignoreMerges ?? false;
    const tokenToId = new Map<string, number>();
    const tokenBytes: Uint8Array[] = [];
    spec.tokens.forEach((t, id) => {
      if (typeof t !== 'string' || t.length === 0) throw new VocabError(`${where}: token id ${id} has no spelling (expected a non-empty string, got ${JSON.stringify(t)})`);
      if (tokenToId.has(t)) throw new VocabError(`${where}: token ${JSON.stringify(t)} appears twice (ids ${tokenToId.get(t)} and ${id})`);
      tokenToId.set(t, id);
      // A spelling outside the byte alphabet (e.g. an added "<pad>" with non-byte characters) stands for its UTF-8.
      tokenBytes.push(unicodeStringToBytes(t) ?? utf8Encode(t));
    });
    this.tokenToId = tokenToId;
    this.tokenBytes = tokenBytes;
    this.byteToId = new Int32Array(256);
    for (let b = 0; b < 256; b++) {
      const id = tokenToId.get(BYTE_TO_UNICODE[b]!);
      if (id === undefined) throw new VocabError(`${where}: byte 0x${b.toString(16).padStart(2, '0')} has no single-byte token ${JSON.stringify(BYTE_TO_UNICODE[b])}; a byte-level BPE vocabulary needs all 256`);
      this.byteToId[b] = id;
    }
    this.pairs = new PairTable(spec.merges.length);
    spec.merges.forEach(([a, b], r) => {
      const ia = tokenToId.get(a);
      const ib = tokenToId.get(b);
      const im = tokenToId.get(a + b);
      if (ia === undefined || ib === undefined || im === undefined) {
        const missing = ia === undefined ? a : ib === undefined ? b : a + b;
        throw new VocabError(`${where}: merge ${r} (${JSON.stringify(`${a} ${b}`)}) uses token ${JSON.stringify(missing)} that is not in the vocabulary`);
      }
      this.pairs.set(ia, ib, r, im); // a repeated merge keeps its first (lowest) rank
    });
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Merge rank of the pair of ids (a, b), or -1 when (a, b) is not a merge. */
  mergeRank(a: number, b: number): number {
    return this.pairs.rank(a, b);
  }

  /** Append the BPE ids of `bytes[0, len)` to `out`. */
  encodeBytes(bytes: Uint8Array, len: number, out: number[]): void {
    if (len === 0) return;
    if (len === 1) {
      out.push(this.byteToId[bytes[0]!]!);
      return;
    }
    if (this.ignoreMerges) {
      let s = '';
      for (let k = 0; k < len; k++) s += BYTE_TO_UNICODE[bytes[k]!]!;
      const id = this.tokenToId.get(s);
      if (id !== undefined) {
        out.push(id);
        return;
      }
    }
    if (len <= SMALL_PIECE) this.encodeSmall(bytes, len, out);
    else this.encodeLarge(bytes, len, out);
  }

  private encodeSmall(bytes: Uint8Array, len: number, out: number[]): void {
    if (this.sym.length < len) {
      this.sym = new Int32Array(len * 2);
      this.rank = new Int32Array(len * 2);
    }
    const sym = this.sym;
    const rank = this.rank;
    const pairs = this.pairs;
    const byteToId = this.byteToId;
    for (let k = 0; k < len; k++) sym[k] = byteToId[bytes[k]!]!;
    let m = len;
    for (let k = 0; k < m - 1; k++) {
      const r = pairs.rank(sym[k]!, sym[k + 1]!);
      rank[k] = r < 0 ? 0x7fffffff : r;
    }
    for (;;) {
      let best = 0x7fffffff;
      let bi = -1;
      for (let k = 0; k < m - 1; k++) {
        if (rank[k]! < best) {
          best = rank[k]!;
          bi = k;
        }
      }
      if (bi < 0) break;
      sym[bi] = pairs.merged(sym[bi]!, sym[bi + 1]!);
      for (let k = bi + 1; k < m - 1; k++) sym[k] = sym[k + 1]!;
      for (let k = bi + 1; k < m - 2; k++) rank[k] = rank[k + 1]!;
      m--;
      if (bi > 0) {
        const r = pairs.rank(sym[bi - 1]!, sym[bi]!);
        rank[bi - 1] = r < 0 ? 0x7fffffff : r;
      }
      if (bi < m - 1) {
        const r = pairs.rank(sym[bi]!, sym[bi + 1]!);
        rank[bi] = r < 0 ? 0x7fffffff : r;
      }
    }
    for (let k = 0; k < m; k++) out.push(sym[k]!);
  }

  /** Heap of (rank, left position) over a doubly linked list of symbols; stale heap entries are skipped. */
  private encodeLarge(bytes: Uint8Array, len: number, out: number[]): void {
    const pairs = this.pairs;
    const sym = new Int32Array(len);
    const next = new Int32Array(len);
    const prev = new Int32Array(len);
    for (let k = 0; k < len; k++) {
      sym[k] = this.byteToId[bytes[k]!]!;
      next[k] = k + 1 < len ? k + 1 : -1;
      prev[k] = k - 1;
    }
    const heap = new MinHeap2();
    for (let k = 0; k + 1 < len; k++) {
      const r = pairs.rank(sym[k]!, sym[k + 1]!);
      if (r >= 0) heap.push(r, k);
    }
    while (heap.size > 0) {
      const r = heap.topKey;
      const pos = heap.topVal;
      heap.pop();
      if (sym[pos] === -1) continue;
      const nx = next[pos]!;
      if (nx < 0 || pairs.rank(sym[pos]!, sym[nx]!) !== r) continue; // stale entry
      sym[pos] = pairs.merged(sym[pos]!, sym[nx]!);
      sym[nx] = -1;
      const nn = next[nx]!;
      next[pos] = nn;
      if (nn >= 0) prev[nn] = pos;
      const pv = prev[pos]!;
      if (pv >= 0) {
        const rl = pairs.rank(sym[pv]!, sym[pos]!);
        if (rl >= 0) heap.push(rl, pv);
      }
      if (nn >= 0) {
        const rr = pairs.rank(sym[pos]!, sym[nn]!);
        if (rr >= 0) heap.push(rr, pos);
      }
    }
    for (let k = 0; k >= 0; k = next[k]!) out.push(sym[k]!);
  }

  /** Reference path for tests: always use the heap algorithm. */
  encodeBytesWithHeap(bytes: Uint8Array, out: number[]): void {
    if (bytes.length === 0) return;
    this.encodeLarge(bytes, bytes.length, out);
  }
}

/** Binary min-heap of (key, val) integer pairs ordered by key, then val. */
export class MinHeap2 {
  private keys: number[] = [];
  private vals: number[] = [];

  get size(): number {
    return this.keys.length;
  }
  get topKey(): number {
    return this.keys[0]!;
  }
  get topVal(): number {
    return this.vals[0]!;
  }

  private less(i: number, j: number): boolean {
    const ki = this.keys[i]!;
    const kj = this.keys[j]!;
    return ki < kj || (ki === kj && this.vals[i]! < this.vals[j]!);
  }

  private swap(i: number, j: number): void {
    const k = this.keys[i]!;
    this.keys[i] = this.keys[j]!;
    this.keys[j] = k;
    const v = this.vals[i]!;
    this.vals[i] = this.vals[j]!;
    this.vals[j] = v;
  }

  push(key: number, val: number): void {
    this.keys.push(key);
    this.vals.push(val);
    let i = this.keys.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): void {
    const last = this.keys.length - 1;
    this.swap(0, last);
    this.keys.pop();
    this.vals.pop();
    const n = this.keys.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}
