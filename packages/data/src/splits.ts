/**
 * Seeded train/validation/test splits in which every user and every item of validation and test also
 * appears in training (the rule of the PETER/PEPLER data).
 *
 * Per split: shuffle the rows; walk them in that order and put a row into train when its user or its
 * item has not been seen in train yet (coverage pass); fill train from the remaining rows up to
 * round(r_train · n); the rest go to validation (round(r_val · n), or proportionally fewer when coverage
 * took more than r_train) and test. Indices in each part are sorted ascending.
 */
import { Rng } from '@xrec/core';
import type { Split } from './split-index.js';

/** One coverage-respecting split of rows (row r has user users[r] and item items[r]). */
export function coverageSplit(users: readonly string[], items: readonly string[], rng: Rng, ratios: readonly [number, number, number]): Split {
  const n = users.length;
  const perm = rng.permutation(n);
  const seenU = new Set<string>();
  const seenI = new Set<string>();
  const train: number[] = [];
  const rest: number[] = [];
  for (const r of perm) {
    const u = users[r] as string;
    const i = items[r] as string;
    if (!seenU.has(u) || !seenI.has(i)) {
      train.push(r);
      seenU.add(u);
      seenI.add(i);
    } else rest.push(r);
  }
  const trainTarget = Math.round(ratios[0] * n);
  const need = Math.max(0, Math.min(rest.length, trainTarget - train.length));
  train.push(...rest.slice(0, need));
  const left = rest.slice(need);
  const valTarget = Math.round(ratios[1] * n);
  const testTarget = n - trainTarget - valTarget;
  const nVal = left.length >= valTarget + testTarget ? valTarget : Math.round((left.length * ratios[1]) / (ratios[1] + ratios[2] || 1));
  const sorted = (a: number[]): Int32Array => Int32Array.from(a).sort();
  return { train: sorted(train), validation: sorted(left.slice(0, nVal)), test: sorted(left.slice(nVal)) };
}

/** `count` splits; split k uses the stream `new Rng(seed).fork('split-k')`. */
export function makeSplits(users: readonly string[], items: readonly string[], seed: number, count = 5, ratios: readonly [number, number, number] = [0.8, 0.1, 0.1]): Split[] {
  const root = new Rng(seed);
  return Array.from({ length: count }, (_, k) => coverageSplit(users, items, root.fork(`split-${k + 1}`), ratios));
}

/** Users or items of validation/test rows that never occur in train rows (empty when coverage holds). */
export function coverageViolations(users: readonly string[], items: readonly string[], split: Split): { users: string[]; items: string[] } {
  const tu = new Set<string>();
  const ti = new Set<string>();
  for (const r of split.train) {
    tu.add(users[r] as string);
    ti.add(items[r] as string);
  }
  const bu = new Set<string>();
  const bi = new Set<string>();
  for (const part of [split.validation, split.test]) {
    for (const r of part) {
      if (!tu.has(users[r] as string)) bu.add(users[r] as string);
      if (!ti.has(items[r] as string)) bi.add(items[r] as string);
    }
  }
  return { users: [...bu], items: [...bi] };
}
