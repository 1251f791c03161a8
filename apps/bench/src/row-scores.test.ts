import { describe, expect, it } from 'vitest';
import { RowScores } from './row-scores.js';

describe('RowScores', () => {
  it('scores each row once, in the order asked, across calls', () => {
    const calls: number[][] = [];
    const cache = new RowScores(10);
    const score = (rows: readonly number[]) => (positions: readonly number[]) => {
      calls.push(positions.map((k) => rows[k]!));
      return positions.map((k) => rows[k]! / 10);
    };
    const a = [3, 1, 4];
    expect(Array.from(cache.get(a, score(a)).scores)).toEqual([0.3, 0.1, 0.4]);
    const b = [4, 1, 5, 9, 5];
    const r = cache.get(b, score(b));
    expect(Array.from(r.scores)).toEqual([0.4, 0.1, 0.5, 0.9, 0.5]);
    expect(r.scored).toBe(2);
    expect(calls).toEqual([[3, 1, 4], [5, 9]]);
    expect(cache.get([9, 3], score([9, 3])).scored).toBe(0);
    expect(calls).toHaveLength(2);
  });

  it('rejects rows outside the dataset and scorers that return the wrong count', () => {
    const cache = new RowScores(4);
    expect(() => cache.get([4], () => [0])).toThrow(/row 4 \(position 0\) is outside 0 … 3/);
    expect(() => cache.get([0, 1], () => [0])).toThrow(/asked for 2 scores, got 1/);
  });
});
