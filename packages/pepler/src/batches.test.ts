import { describe, expect, it } from 'vitest';
import { IGNORE_INDEX, makeBatch } from './batches.js';

describe('makeBatch', () => {
  it('continuous: 2 prefix positions, the item position predicts <bos>, pads ignored', () => {
    const b = makeBatch(
      [
        { user: 0, item: 1, rating: 4, expl: [10, 11], prompt: [] },
        { user: 2, item: 3, rating: 5, expl: [12], prompt: [] },
      ],
      { bos: 0, eos: 1, pad: 2, prefix: true },
    );
    expect(b.idsLength).toBe(4);
    expect(Array.from(b.ids)).toEqual([0, 10, 11, 1, 0, 12, 1, 2]);
    expect(b.labelsLength).toBe(6);
    const X = IGNORE_INDEX;
    expect(Array.from(b.labels)).toEqual([X, 0, 10, 11, 1, X, X, 0, 12, 1, X, X]);
    expect(b.tokens).toBe(4 + 3);
    expect(Array.from(b.users)).toEqual([0, 2]);
  });

  it('discrete: prompts left-padded, the last prompt token predicts <bos>', () => {
    const b = makeBatch(
      [
        { user: 0, item: 0, rating: 1, expl: [10], prompt: [20, 21] },
        { user: 0, item: 0, rating: 1, expl: [11], prompt: [22] },
      ],
      { bos: 0, eos: 1, pad: 2, prefix: false },
    );
    expect(b.prefixLength).toBe(0);
    expect(Array.from(b.ids)).toEqual([20, 21, 0, 10, 1, 2, 22, 0, 11, 1]);
    const X = IGNORE_INDEX;
    expect(Array.from(b.labels)).toEqual([X, 0, 10, 1, X, X, 0, 11, 1, X]);
  });
});
