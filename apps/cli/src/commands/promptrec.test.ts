import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetForTest } from '@xrec/core';
import { runCli as run } from '../../test/run-cli.js';
import { parseUserProfile } from './promptrec.js';

const base = join(import.meta.dirname, '..', '..', '..', '..', 'models', 'xrec-base');

describe('xrec promptrec score', () => {
  it('reads a typed user profile, refusing bad fields by name', () => {
    expect(parseUserProfile('{"age": 24, "gender": "M", "occupation": "Technician", "zip": "85711"}')).toEqual({ user: 'new', age: 24, gender: 'M', occupation: 'technician', zip: '85711' });
    expect(parseUserProfile('{"age": 67, "gender": "F", "occupation": "retired"}').zip).toBe('');
    expect(() => parseUserProfile('{age: 3}')).toThrow(/--user: not JSON/);
    expect(() => parseUserProfile('{"age": 0, "gender": "M", "occupation": "x"}')).toThrow(/--user\.age: expected an integer in \[1, 120\], got 0/);
    expect(() => parseUserProfile('{"age": 30, "gender": "male", "occupation": "x"}')).toThrow(/--user\.gender/);
    expect(() => parseUserProfile('{"age": 30, "gender": "M", "occupation": "x", "income": 3}')).toThrow(/unknown field 'income'/);
  });

  const ml = datasetForTest('movielens-100k');
  it.skipIf(!ml.path)(`ranks the given movies for a new user by p(like) ${ml.skipReason ?? ''}`, async () => {
    const r = await run(['promptrec', 'score', '--model', base, '--user', '{"age": 24, "gender": "M", "occupation": "technician"}', '--items', '1,50,100', '--json']);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { ranked: { item: string; title: string; p: number }[] };
    expect(out.ranked.map((x) => x.item).sort()).toEqual(['1', '100', '50']);
    for (let i = 1; i < out.ranked.length; i++) expect(out.ranked[i - 1]!.p).toBeGreaterThanOrEqual(out.ranked[i]!.p);
    expect(out.ranked.find((x) => x.item === '1')!.title).toBe('Toy Story (1995)');
    const bad = await run(['promptrec', 'score', '--model', base, '--user', '{"age": 24, "gender": "M", "occupation": "technician"}', '--items', '1,0']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/no MovieLens-100K item 0/);
  });
});
