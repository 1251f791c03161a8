import { describe, expect, it } from 'vitest';
import { NotFoundError } from '@xrec/core';
import { RetrievalBaseline } from './retrieval.js';

const train = [
  { user: 'u1', item: 'a', feature: 'sound', sentence: 'the sound is warm' },
  { user: 'u2', item: 'a', feature: 'sound', sentence: 'the sound is warm' },
  { user: 'u3', item: 'a', feature: 'price', sentence: 'the price is right' },
  { user: 'u3', item: 'b', feature: 'price', sentence: 'cheap price' },
  { user: 'u4', item: 'b', feature: 'cable', sentence: 'the cable broke' },
  { user: 'u4', item: 'c', feature: 'cable', sentence: 'a good cable' },
];

describe('RetrievalBaseline', () => {
  const r = new RetrievalBaseline(train);
  it("picks the item's explanation on the feature the user mentions most", () => {
    expect(r.explain('u3', 'a')).toBe('the price is right'); // u3 mentions price twice
    expect(r.explain('u4', 'b')).toBe('the cable broke'); // u4: cable
  });
  it("falls back to the item's most common explanation", () => {
    expect(r.explain('u1', 'b')).toBe('cheap price'); // u1 mentions sound only; tie -> first seen
    expect(r.explain('nobody', 'a')).toBe('the sound is warm'); // most common on item a
  });
  it('throws NotFoundError for an item without training explanations', () => {
    expect(() => r.explain('u1', 'zzz')).toThrow(NotFoundError);
  });
});
