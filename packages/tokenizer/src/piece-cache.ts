/**
 * Cache from pre-token text to its BPE ids, probed with a substring of the input *without creating the
 * substring*: the caller hashes `text[start, end)` (FNV-1a over UTF-16 code units) and the table compares
 * code units in place. Open addressing with linear probing; ids live in one Int32Array pool. When the table
 * is half full it is emptied (natural text reaches a steady state long before that).
 */

/** FNV-1a offset basis and prime (32-bit). */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;

/** FNV-1a hash of `text[start, end)` as code units. */
export function hashRange(text: string, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let k = start; k < end; k++) h = Math.imul(h ^ text.charCodeAt(k), FNV_PRIME);
  return h;
}

export class PieceCache {
  private readonly mask: number;
  private readonly maxEntries: number;
  private keys: string[];
  private readonly hashes: Int32Array;
  /** Offset of the slot's ids in `pool`, and how many. */
  private readonly start: Int32Array;
  private readonly count: Int32Array;
  private pool: Int32Array;
  private poolLen = 0;
  private entries = 0;

  /** @param capacity slots (rounded up to a power of two); at most half of them are used. */
  constructor(capacity = 1 << 18) {
    let cap = 1024;
    while (cap < capacity) cap *= 2;
    this.mask = cap - 1;
    this.maxEntries = cap >> 1;
    this.keys = new Array<string>(cap).fill('');
    this.hashes = new Int32Array(cap);
    this.start = new Int32Array(cap);
    this.count = new Int32Array(cap);
    this.pool = new Int32Array(cap * 2);
  }

  get size(): number {
    return this.entries;
  }

  /**
   * Slot holding `text[s, e)` (hash `h`), or `-1 - freeSlot` when absent (the free slot where it would go).
   */
  find(text: string, s: number, e: number, h: number): number {
    const keys = this.keys;
    const hashes = this.hashes;
    const len = e - s;
    let slot = h & this.mask;
    for (;;) {
      const key = keys[slot]!;
      if (key.length === 0) return -1 - slot;
      if (hashes[slot] === h && key.length === len) {
        let k = 0;
        while (k < len && key.charCodeAt(k) === text.charCodeAt(s + k)) k++;
        if (k === len) return slot;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** Append the cached ids of `slot` to `out`. */
  emit(slot: number, out: number[]): void {
    const c = this.count[slot]!;
    const o = this.start[slot]!;
    if (c === 1) {
      out.push(this.pool[o]!);
      return;
    }
    const pool = this.pool;
    for (let k = 0; k < c; k++) out.push(pool[o + k]!);
  }

  /** Store `ids` for `piece` (hash `h`); `missing` is the negative result of {@link find} for it. */
  insert(missing: number, piece: string, h: number, ids: readonly number[]): void {
    if (missing >= 0) throw new RangeError('PieceCache.insert: the piece is already cached');
    if (this.entries >= this.maxEntries) {
      this.clear();
      missing = this.find(piece, 0, piece.length, h);
    }
    const freeSlot = -1 - missing;
    if (this.poolLen + ids.length > this.pool.length) {
      const grown = new Int32Array(Math.max(this.pool.length * 2, this.poolLen + ids.length));
      grown.set(this.pool.subarray(0, this.poolLen));
      this.pool = grown;
    }
    this.pool.set(ids, this.poolLen);
    this.keys[freeSlot] = piece;
    this.hashes[freeSlot] = h;
    this.start[freeSlot] = this.poolLen;
    this.count[freeSlot] = ids.length;
    this.poolLen += ids.length;
    this.entries++;
  }

  clear(): void {
    this.keys.fill('');
    this.poolLen = 0;
    this.entries = 0;
  }
}
