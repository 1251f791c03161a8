/**
 * Cache from pre-token text to its BPE ids, probed with a substring of the input *without creating the
 * substring*: the caller hashes `text[start, end)` (FNV-1a over UTF-16 code units) and the table compares
 * code units in place. Open addressing with linear probing; ids live in one Int32Array pool. The table
 * doubles when half full up to its maximum, and is emptied when that is half full (natural text reaches a
 * steady state long before).
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
  private mask: number;
  private readonly maxCapacity: number;
  private keys: string[];
  private hashes: Int32Array;
  /** Offset of the slot's ids in `pool`, and how many. */
  private start: Int32Array;
  private count: Int32Array;
  private pool: Int32Array;
  private poolLen = 0;
  private entries = 0;

  /**
   * @param maxCapacity most slots (rounded up to a power of two); at most half of them are used. The table
   *   starts small and doubles as it fills, so a tokenizer that encodes little text stays small.
   */
  constructor(maxCapacity = 1 << 18) {
    let max = 1024;
    while (max < maxCapacity) max *= 2;
    this.maxCapacity = max;
    const cap = Math.min(max, 4096);
    this.mask = cap - 1;
    this.keys = new Array<string>(cap).fill('');
    this.hashes = new Int32Array(cap);
    this.start = new Int32Array(cap);
    this.count = new Int32Array(cap);
    this.pool = new Int32Array(cap);
  }

  get size(): number {
    return this.entries;
  }

  /** Number of slots now allocated. */
  get capacity(): number {
    return this.mask + 1;
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
    if (2 * (this.entries + 1) > this.capacity) {
      if (this.capacity < this.maxCapacity) this.grow();
      else this.clear();
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

  /** Double the table, re-placing every entry (ids stay where they are in the pool). */
  private grow(): void {
    const { keys, hashes, start, count } = this;
    const cap = keys.length * 2;
    this.mask = cap - 1;
    this.keys = new Array<string>(cap).fill('');
    this.hashes = new Int32Array(cap);
    this.start = new Int32Array(cap);
    this.count = new Int32Array(cap);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key.length === 0) continue;
      let slot = hashes[i]! & this.mask;
      while (this.keys[slot]!.length !== 0) slot = (slot + 1) & this.mask;
      this.keys[slot] = key;
      this.hashes[slot] = hashes[i]!;
      this.start[slot] = start[i]!;
      this.count[slot] = count[i]!;
    }
  }

  clear(): void {
    this.keys.fill('');
    this.poolLen = 0;
    this.entries = 0;
  }
}
