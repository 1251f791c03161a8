import { describe, expect, it } from 'vitest';
import { groupMetrics, hasRepeatedRun, headSet, repetitionRate } from './quality.js';

describe('explanation quality checks', () => {
  it('finds a token repeated four times in a row, not four times apart', () => {
    expect(hasRepeatedRun('I have a great and the the the the')).toBe(true);
    expect(hasRepeatedRun('the cat the dog the end the')).toBe(false);
    expect(hasRepeatedRun('good good good')).toBe(false);
    expect(hasRepeatedRun('')).toBe(false);
    expect(repetitionRate(['a a a a', 'b', 'c c', 'd d d d d'])).toBe(0.5);
    expect(repetitionRate([])).toBe(0);
  });

  it('splits rows by item popularity and user activity', () => {
    const counts = new Map([
      ['i1', 10],
      ['i2', 1],
      ['i3', 2],
      ['i4', 1],
      ['i5', 1],
    ]);
    expect([...headSet(counts)]).toEqual(['i1']);
    const train = [...Array(10).fill({ user: 'u1', item: 'i1' }), { user: 'u2', item: 'i2' }, { user: 'u3', item: 'i3' }, { user: 'u4', item: 'i4' }, { user: 'u5', item: 'i5' }];
    const rows = [
      { user: 'u1', item: 'i1', reference: 'great sound', generated: 'great sound', feature: 'sound' },
      { user: 'u1', item: 'i1', reference: 'great sound', generated: 'good sound', feature: 'sound' },
      { user: 'u2', item: 'i2', reference: 'nice strap', generated: 'bad price', feature: 'strap' },
      { user: 'u3', item: 'i3', reference: 'nice strap', generated: 'bad price', feature: 'strap' },
    ];
    const g = groupMetrics(rows, train, { features: ['sound', 'strap', 'price'], minRating: 1, maxRating: 5 });
    expect(g.itemHead!.n).toBe(2);
    expect(g.itemTail!.n).toBe(2);
    expect(g.itemHead!.bleu1).toBeGreaterThan(g.itemTail!.bleu1);
    expect(g.userActive!.fmr).toBe(1);
    expect(g.userInactive!.fmr).toBe(0);
    // a group of one row is left out (DIV needs two)
    expect(groupMetrics(rows.slice(1, 3), train, { features: ['sound', 'strap', 'price'], minRating: 1, maxRating: 5 }).itemHead).toBeUndefined();
  });
});
