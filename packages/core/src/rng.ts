/**
 * Seeded, splittable random numbers for everything random in xrec (no `Math.random` in packages).
 *
 * Built on pure-rand's xoroshiro128+ generator. `split()` derives an independent child stream via the
 * generator's jump function (2^64 steps ahead), so handing a child to a sub-task never changes the
 * parent's later draws beyond one jump; `fork(label)` derives a child from the seed and a label only,
 * so it is stable regardless of how many numbers the parent has drawn.
 *
 * ```ts
 * const rng = new Rng(42);
 * rng.float();            // 0 <= x < 1
 * rng.int(1, 6);          // 1..6 inclusive
 * const child = rng.fork('dropout');
 * ```
 */
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { ConfigError } from './errors.js';

/** A serialisable snapshot of an {@link Rng}, for checkpoints and resume. */
export interface RngState {
  readonly seed: number;
  readonly state: readonly number[];
}

/** 32-bit FNV-1a hash of a string, used to mix labels into seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed)) throw new ConfigError(`Rng: seed must be an integer, got ${seed}`);
}

export class Rng {
  readonly seed: number;
  private gen: JumpableRandomGenerator;
  private spare: number | undefined;

  constructor(seed: number, state?: readonly number[]) {
    checkSeed(seed);
    this.seed = seed;
    this.gen = state ? xoroshiro128plusFromState(state) : xoroshiro128plus(seed | 0);
  }

  /** Restore a generator from {@link Rng.getState}. */
  static fromState(s: RngState): Rng {
    if (!Array.isArray(s.state) || s.state.length !== 4) {
      throw new ConfigError(`Rng.fromState: state must be an array of 4 numbers, got ${JSON.stringify(s.state)}`);
    }
    return new Rng(s.seed, s.state);
  }

  getState(): RngState {
    return { seed: this.seed, state: [...this.gen.getState()] };
  }

  /** Uniform integer in [0, 2^32). */
  uint32(): number {
    return this.gen.next() >>> 0;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
      throw new ConfigError(`Rng.int: need integers lo <= hi, got lo=${lo}, hi=${hi}`);
    }
    return uniformInt(this.gen, lo, hi);
  }

  /** Standard normal sample (Box-Muller, caching the second value). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** In-place Fisher-Yates shuffle; returns the same array. */
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = uniformInt(this.gen, 0, i);
      const t = arr[i] as T;
      arr[i] = arr[j] as T;
      arr[j] = t;
    }
    return arr;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /** One element chosen uniformly. */
  choice<T>(arr: readonly T[]): T {
    if (arr.length === 0) throw new ConfigError('Rng.choice: array is empty');
    return arr[uniformInt(this.gen, 0, arr.length - 1)] as T;
  }

  /** An integer seed for APIs that take a plain number (e.g. tfjs initializers). */
  nextSeed(): number {
    return uniformInt(this.gen, 0, 0x7fffffff);
  }

  /** An independent child stream: a clone of this generator jumped 2^64 steps; this one also jumps. */
  split(): Rng {
    const child = new Rng(this.seed, this.gen.getState());
    child.gen.jump();
    this.gen.jump();
    this.gen.jump();
    return child;
  }

  /** A child derived only from this generator's seed and `label` (independent of draws made so far). */
  fork(label: string): Rng {
    return new Rng((Math.imul(this.seed | 0, 0x9e3779b1) ^ hashString(label)) | 0);
  }
}
