/**
 * Exact interning used to make the explanation metrics linear-time: strings become dense integer ids, and
 * pairs `(prefixId, tokenId)` become dense ids, so an n-gram (or a whole token sequence) is one integer
 * built left to right: `id(w1..wk) = pair(id(w1..wk-1), id(wk))`. Two n-grams get the same id iff they are
 * equal token by token — no hashing collisions reach the results.
 *
 * Internal to the package (not exported from the index).
 */

/** Dense ids for strings, in first-seen order. */
export class StringInterner {
  private readonly ids = new Map<string, number>();
  private readonly strings: string[] = [];

  /** The id of `s`, assigning the next one when it is new. */
  id(s: string): number {
    let v = this.ids.get(s);
    if (v === undefined) {
      v = this.strings.length;
      this.ids.set(s, v);
      this.strings.push(s);
    }
    return v;
  }

  /** The string of id `id` (0 <= id < size). */
  token(id: number): string {
    const s = this.strings[id];
    if (s === undefined) throw new RangeError(`StringInterner.token: id ${id} out of range [0, ${this.strings.length})`);
    return s;
  }

  /** The id of `s` or -1 when it was never interned. */
  lookup(s: string): number {
    return this.ids.get(s) ?? -1;
  }

  get size(): number {
    return this.ids.size;
  }
}

/** A 32-bit hash of an int pair: combine, then murmur3's fmix32 finaliser (every bit mixes into the low bits). */
function pairHash(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ b;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Dense ids for pairs of non-negative int32 `(a, b)`: an open-addressing hash table (linear probing) over
 * typed arrays, several times faster than a `Map` keyed by `a * K + b`.
 */
export class PairInterner {
  private keysA: Int32Array;
  private keysB: Int32Array;
  private vals: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1 << 12) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap <<= 1;
    this.keysA = new Int32Array(cap);
    this.keysB = new Int32Array(cap);
    this.vals = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The id of pair `(a, b)`, assigning the next one when it is new. */
  id(a: number, b: number): number {
    let h = pairHash(a, b) & this.mask;
    const vals = this.vals;
    for (;;) {
      const v = vals[h]!;
      if (v === -1) {
        if ((this.count + 1) * 2 > vals.length) {
          this.grow();
          return this.id(a, b);
        }
        this.keysA[h] = a;
        this.keysB[h] = b;
        vals[h] = this.count;
        return this.count++;
      }
      if (this.keysA[h] === a && this.keysB[h] === b) return v;
      h = (h + 1) & this.mask;
    }
  }

  private grow(): void {
    const oa = this.keysA;
    const ob = this.keysB;
    const ov = this.vals;
    const cap = ov.length * 2;
    this.keysA = new Int32Array(cap);
    this.keysB = new Int32Array(cap);
    this.vals = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    for (let i = 0; i < ov.length; i++) {
      const v = ov[i]!;
      if (v === -1) continue;
      const a = oa[i]!;
      const b = ob[i]!;
      let h = pairHash(a, b) & this.mask;
      while (this.vals[h] !== -1) h = (h + 1) & this.mask;
      this.keysA[h] = a;
      this.keysB[h] = b;
      this.vals[h] = v;
    }
  }
}
