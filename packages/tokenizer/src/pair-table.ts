/**
 * Open-addressing hash table from a token pair (a, b) to its merge: rank (lower merges first) and the id of
 * the merged token. Two Int32Array probes instead of a string-keyed Map: no allocation on lookup.
 */
export class PairTable {
  private readonly mask: number;
  private readonly keyA: Int32Array;
  private readonly keyB: Int32Array;
  private readonly rankOf: Int32Array;
  private readonly mergedOf: Int32Array;
  private count = 0;

  /** @param capacityHint expected number of pairs (the table is sized to a power of two >= 2x that). */
  constructor(capacityHint: number) {
    let cap = 16;
    while (cap < capacityHint * 2) cap *= 2;
    this.mask = cap - 1;
    this.keyA = new Int32Array(cap).fill(-1);
    this.keyB = new Int32Array(cap);
    this.rankOf = new Int32Array(cap);
    this.mergedOf = new Int32Array(cap);
  }

  get size(): number {
    return this.count;
  }

  private slot(a: number, b: number): number {
    let h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    h ^= h >>> 15;
    let i = h & this.mask;
    const ka = this.keyA;
    const kb = this.keyB;
    while (ka[i] !== -1 && (ka[i] !== a || kb[i] !== b)) i = (i + 1) & this.mask;
    return i;
  }

  /** Insert (a, b) -> (rank, merged); returns false (and keeps the first entry) when the pair is already present. */
  set(a: number, b: number, rank: number, merged: number): boolean {
    if (this.count * 2 >= this.mask + 1) throw new RangeError('PairTable: capacity exceeded');
    const i = this.slot(a, b);
    if (this.keyA[i] !== -1) return false;
    this.keyA[i] = a;
    this.keyB[i] = b;
    this.rankOf[i] = rank;
    this.mergedOf[i] = merged;
    this.count++;
    return true;
  }

  /** Rank of pair (a, b), or -1 when the pair is not a merge. */
  rank(a: number, b: number): number {
    const i = this.slot(a, b);
    return this.keyA[i] === -1 ? -1 : this.rankOf[i]!;
  }

  /** Merged token id of pair (a, b), or -1. */
  merged(a: number, b: number): number {
    const i = this.slot(a, b);
    return this.keyA[i] === -1 ? -1 : this.mergedOf[i]!;
  }

  /** Slot of (a, b) or -1; use {@link rankAt}/{@link mergedAt} to read it without a second probe. */
  find(a: number, b: number): number {
    const i = this.slot(a, b);
    return this.keyA[i] === -1 ? -1 : i;
  }

  rankAt(slot: number): number {
    return this.rankOf[slot]!;
  }

  mergedAt(slot: number): number {
    return this.mergedOf[slot]!;
  }
}
