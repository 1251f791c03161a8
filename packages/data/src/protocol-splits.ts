/**
 * Splits and samplers of recommendation protocols (RecBole's `LO`/`TO` orders and cold-start settings):
 * leave-one-out by time, user and item cold start, and a seeded negative sampler that never returns an item
 * the user has interacted with. All return row indices into the interaction list.
 */
import { ConfigError, DataError, type Rng } from '@xrec/core';
import type { Split } from './split-index.js';

export interface Interaction {
  readonly user: string;
  readonly item: string;
  /** Order within a user's history (e.g. a timestamp); ties keep the input order. */
  readonly time?: number;
}

/**
 * Leave-one-out: per user ordered by time, the last interaction is test, the second to last validation, the
 * rest training (P5 and SASRec on MovieLens). Users with fewer than `minInteractions` (default 3) go to training only.
 */
export function leaveOneOut(rows: readonly Interaction[], opts: { minInteractions?: number } = {}): Split {
  const min = opts.minInteractions ?? 3;
  if (!Number.isInteger(min) || min < 1) throw new ConfigError(`leaveOneOut: minInteractions must be a positive integer, got ${min}`);
  const byUser = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const list = byUser.get(r.user);
    if (list) list.push(i);
    else byUser.set(r.user, [i]);
  });
  const train: number[] = [];
  const validation: number[] = [];
  const test: number[] = [];
  for (const list of byUser.values()) {
    const ordered = [...list].sort((a, b) => (rows[a]!.time ?? 0) - (rows[b]!.time ?? 0) || a - b);
    if (ordered.length < min) {
      train.push(...ordered);
      continue;
    }
    test.push(ordered.pop()!);
    validation.push(ordered.pop()!);
    train.push(...ordered);
  }
  const sorted = (a: number[]) => Int32Array.from(a.sort((x, y) => x - y));
  return { train: sorted(train), validation: sorted(validation), test: sorted(test) };
}

/**
 * Cold start: every interaction of a random `fraction` of users (or items) is held out — split in half
 * into validation and test — and the rest is training, so held-out entities never appear in training.
 */
export function coldStartSplit(rows: readonly Interaction[], opts: { by: 'user' | 'item'; fraction: number; rng: Rng }): Split & { readonly heldOut: readonly string[] } {
  if (!(opts.fraction > 0 && opts.fraction < 1)) throw new ConfigError(`coldStartSplit: fraction must be in (0, 1), got ${opts.fraction}`);
  const key = (r: Interaction) => (opts.by === 'user' ? r.user : r.item);
  const entities = [...new Set(rows.map(key))].sort();
  if (entities.length < 3) throw new DataError(`coldStartSplit: needs at least 3 ${opts.by}s, got ${entities.length}`);
  const shuffled = opts.rng.shuffle([...entities]);
  const n = Math.max(2, Math.round(entities.length * opts.fraction));
  const held = shuffled.slice(0, n);
  const val = new Set(held.slice(0, Math.floor(n / 2)));
  const test = new Set(held.slice(Math.floor(n / 2)));
  const parts = { train: [] as number[], validation: [] as number[], test: [] as number[] };
  rows.forEach((r, i) => (val.has(key(r)) ? parts.validation : test.has(key(r)) ? parts.test : parts.train).push(i));
  return { train: Int32Array.from(parts.train), validation: Int32Array.from(parts.validation), test: Int32Array.from(parts.test), heldOut: held.sort() };
}

/** Samples items a user has not interacted with (uniformly, without replacement within one call). */
export class NegativeSampler {
  private readonly seen = new Map<string, Set<string>>();
  private readonly catalogue: ReadonlySet<string>;

  /** `items`: the catalogue; `rows`: the interactions that count as seen (usually all of them). */
  constructor(private readonly items: readonly string[], rows: readonly Interaction[]) {
    this.catalogue = new Set(items);
    for (const r of rows) {
      let s = this.seen.get(r.user);
      if (!s) this.seen.set(r.user, (s = new Set()));
      s.add(r.item);
    }
  }

  /** `n` distinct unseen items for `user`; a DataError when the user has fewer than `n` unseen items. */
  sample(user: string, n: number, rng: Rng): string[] {
    const seen = this.seen.get(user) ?? new Set<string>();
    const unseen = this.catalogue.size - [...seen].filter((i) => this.catalogue.has(i)).length;
    if (n > unseen) throw new DataError(`NegativeSampler: user '${user}' has ${unseen} unseen items, ${n} were asked for`);
    const out = new Set<string>();
    // rejection sampling while the catalogue is mostly unseen, else a shuffle of the unseen items
    if (unseen > 2 * n) {
      while (out.size < n) {
        const it = this.items[rng.int(0, this.items.length - 1)]!;
        if (!seen.has(it)) out.add(it);
      }
      return [...out];
    }
    return rng.shuffle(this.items.filter((i) => !seen.has(i))).slice(0, n);
  }
}
