import { describe, expect, it } from 'vitest';
import { ConfigError, NotFoundError } from '@xrec/core';
import { Batcher } from './batcher.js';
import { HttpError, toApiError } from './errors.js';
import { FeatureMatcher } from './text-features.js';

describe('Batcher', () => {
  it('answers requests submitted together in one batch, in order; a failing input fails alone', async () => {
    const calls: number[][] = [];
    const b = new Batcher<number, number>(async (xs) => {
      calls.push([...xs]);
      if (xs.includes(13)) throw new Error('unlucky');
      return xs.map((x) => x * 2);
    }, 4);
    const out = await Promise.all([1, 2, 3, 4, 5, 6].map((x) => b.submit(x)));
    expect(out).toEqual([2, 4, 6, 8, 10, 12]);
    expect(calls).toEqual([[1, 2, 3, 4], [5, 6]]);
    expect(b.batchSizes).toEqual([4, 2]);
    const mixed = await Promise.allSettled([7, 13, 8].map((x) => b.submit(x)));
    expect(mixed.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((mixed[0] as PromiseFulfilledResult<number>).value).toBe(14);
  });
});

describe('FeatureMatcher', () => {
  it('finds whole-word features case-insensitively, longest first, each once', () => {
    const m = new FeatureMatcher(['sound', 'sound quality', 'price', 'strap', '']);
    expect(m.find('Great Sound quality for the price, and the sound is clear.')).toEqual(['sound quality', 'price', 'sound']);
    expect(m.find('straps and soundboards')).toEqual([]);
    expect(new FeatureMatcher([]).find('anything')).toEqual([]);
  });
});

describe('toApiError', () => {
  it('maps xrec errors to 4xx with their message, and anything else to a bare 500', () => {
    expect(toApiError(new NotFoundError("user 'u' is unknown"))).toEqual({ status: 404, body: { code: 'not_found', message: "user 'u' is unknown" } });
    expect(toApiError(new ConfigError('k must be ≥ 1'))).toEqual({ status: 400, body: { code: 'bad_request', message: 'k must be ≥ 1' } });
    expect(toApiError(new HttpError(404, 'not_found', 'no such user', 'body.user')).body).toEqual({ code: 'not_found', message: 'no such user', field: 'body.user' });
    const boom = toApiError(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(boom).toEqual({ status: 500, body: { code: 'internal_error', message: 'internal error' } });
  });
});
