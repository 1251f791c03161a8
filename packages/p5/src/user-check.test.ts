import { describe, expect, it } from 'vitest';
import { Rng } from '@xrec/core';
import { userShuffleCheck, type RecExample } from './index.js';

// each user's favourite is the item named after the user; candidates always hold every item
const items = ['a', 'b', 'c', 'd', 'e', 'f'];
const examples: RecExample[] = items.map((u) => ({ user: u, history: [], target: u, candidates: [...items] }));
const personal = (ex: RecExample) => [ex.user, ...items.filter((i) => i !== ex.user)];
const popular = () => ['a', 'b', 'c', 'd', 'e', 'f'];

describe('userShuffleCheck', () => {
  it('a ranker that reads the user loses its hits when the users are shuffled; one that ignores the user does not', () => {
    const p = userShuffleCheck(examples, personal, { rng: new Rng(1) });
    expect(p.examples).toBe(6);
    expect(p.own['hit@1']).toBe(1);
    expect(p.shuffled['hit@1']).toBe(0); // every example got another example's user
    const q = userShuffleCheck(examples, popular, { rng: new Rng(1) });
    expect(q.shuffled).toEqual(q.own);
    expect(q.own['hit@1']).toBeCloseTo(1 / 6, 12);
  });

  it('takes the first n examples, reuses lists ranked already, and refuses too few', () => {
    const calls: string[] = [];
    const spy = (ex: RecExample) => (calls.push(ex.user), personal(ex));
    const r = userShuffleCheck(examples, spy, { n: 4, rng: new Rng(2), ranked: examples.map(personal) });
    expect(r.examples).toBe(4);
    expect(calls).toHaveLength(4); // only the shuffled pass ranks
    expect(new Set(calls)).toEqual(new Set(['a', 'b', 'c', 'd']));
    expect(r.own['hit@1']).toBe(1);
    expect(() => userShuffleCheck(examples.slice(0, 1), personal, { rng: new Rng(0) })).toThrow(/at least 2 examples/);
    expect(() => userShuffleCheck(examples, personal, { n: 4, rng: new Rng(0), ranked: [] })).toThrow(/0 ranked lists for 4 examples/);
  });
});
