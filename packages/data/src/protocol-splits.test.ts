import { describe, expect, it } from 'vitest';
import { DataError, Rng } from '@xrec/core';
import { coldStartSplit, leaveOneOut, NegativeSampler, type Interaction } from './protocol-splits.js';

const rows: Interaction[] = [
  { user: 'a', item: 'i1', time: 3 },
  { user: 'a', item: 'i2', time: 1 },
  { user: 'a', item: 'i3', time: 2 },
  { user: 'a', item: 'i4', time: 9 },
  { user: 'b', item: 'i1', time: 5 },
  { user: 'b', item: 'i5', time: 4 },
  { user: 'c', item: 'i2', time: 1 },
  { user: 'c', item: 'i3', time: 2 },
  { user: 'c', item: 'i6', time: 3 },
];

describe('protocol splits', () => {
  it('leave-one-out by time: last = test, second to last = validation; short histories train only', () => {
    const s = leaveOneOut(rows);
    expect(Array.from(s.test)).toEqual([3, 8]); // a's time 9, c's time 3
    expect(Array.from(s.validation)).toEqual([0, 7]); // a's time 3, c's time 2
    expect(Array.from(s.train)).toEqual([1, 2, 4, 5, 6]); // b has 2 < 3 interactions
  });

  it('cold start: held-out users never appear in training, seeded', () => {
    const s = coldStartSplit(rows, { by: 'user', fraction: 0.5, rng: new Rng(1) });
    const trainUsers = new Set(Array.from(s.train).map((i) => rows[i]!.user));
    for (const u of s.heldOut) expect(trainUsers.has(u)).toBe(false);
    expect(s.train.length + s.validation.length + s.test.length).toBe(rows.length);
    expect(coldStartSplit(rows, { by: 'user', fraction: 0.5, rng: new Rng(1) }).heldOut).toEqual(s.heldOut);
    const byItem = coldStartSplit(rows, { by: 'item', fraction: 0.4, rng: new Rng(2) });
    const trainItems = new Set(Array.from(byItem.train).map((i) => rows[i]!.item));
    for (const it of byItem.heldOut) expect(trainItems.has(it)).toBe(false);
  });

  it('negative sampler: distinct, never a seen item, seeded; too many is an error', () => {
    const items = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8'];
    const ns = new NegativeSampler(items, rows);
    for (let seed = 0; seed < 20; seed++) {
      const got = ns.sample('a', 3, new Rng(seed));
      expect(new Set(got).size).toBe(3);
      for (const g of got) expect(['i1', 'i2', 'i3', 'i4']).not.toContain(g);
    }
    expect(ns.sample('a', 4, new Rng(3))).toEqual(ns.sample('a', 4, new Rng(3)));
    expect(() => ns.sample('a', 5, new Rng(0))).toThrow(DataError);
    expect(ns.sample('new-user', 8, new Rng(0)).sort()).toEqual(items);
  });
});
