import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
    expect(bad.err).toMatch(/no ml-100k item 0/);
  });

  const coupons = datasetForTest('uci-in-vehicle-coupon');
  it.skipIf(!coupons.path)(`ranks coupons for a new driver (the coupon schema) ${coupons.skipReason ?? ''}`, async () => {
    const driver = { destination: 'Work', passanger: 'Alone', weather: 'Sunny', temperature: '55', time: '7AM', gender: 'Female', age: '26', occupation: 'Legal', income: '$50000 - $62499' };
    const r = await run(['promptrec', 'score', '--model', base, '--dataset', 'coupon', '--user', JSON.stringify(driver), '--items', 'i0,i1,i2,i3,i4', '--top', '3', '--json']);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { ranked: { item: string; title: string; p: number }[] };
    expect(out.ranked).toHaveLength(3);
    expect(out.ranked[0]!.title).toMatch(/^A .* located in the (same|opposite) driving direction is/);
    const bad = await run(['promptrec', 'score', '--model', base, '--dataset', 'coupon', '--user', JSON.stringify({ ...driver, weather: 'Foggy' }), '--items', 'i0']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/coupon: slot 'weather': no word for user.weather = "Foggy"/);
  });

  it('ranks the items of a user\'s own data described by a schema file, without code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xrec-schema-'));
    try {
      const schema = {
        format: 'xrec-promptrec-schema',
        version: 1,
        name: 'books',
        user: 'The reader is a {age} {job}.',
        item: 'The book {title} is a {genres} book.',
        bridge: 'The user is that reader, and the item is that book.',
        slots: {
          age: { from: 'user', field: 'age', bins: [{ max: 17, word: 'young' }, { max: 64, word: 'adult' }], above: 'senior' },
          job: { from: 'user', field: 'job', lowercase: true },
          title: { from: 'item', field: 'title' },
          genres: { from: 'item', field: 'genres', list: true, optional: true },
        },
      };
      writeFileSync(join(dir, 'books.json'), JSON.stringify(schema));
      writeFileSync(join(dir, 'books.jsonl'), ['{"id": "b1", "title": "Dune", "genres": ["science fiction"]}', '{"id": "b2", "title": "Emma", "genres": ["romance", "comedy"]}', ''].join('\n'));
      const args = ['promptrec', 'score', '--model', base, '--dataset', join(dir, 'books.json'), '--user', '{"age": 30, "job": "Nurse"}'];
      const r = await run([...args, '--item-file', join(dir, 'books.jsonl'), '--json']);
      expect(r.code, r.err).toBe(0);
      const out = JSON.parse(r.out) as { ranked: { item: string; title: string; p: number }[] };
      expect(out.ranked.map((x) => x.item).sort()).toEqual(['b1', 'b2']);
      expect(out.ranked.find((x) => x.item === 'b2')!.title).toBe('The book Emma is a romance and comedy book.');
      for (const x of out.ranked) expect(x.p).toBeGreaterThan(0);
      expect((await run(args)).err).toMatch(/--item-file: a schema dataset needs the items to rank/);
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...schema, user: 'The reader is {mood}.' }));
      const bad = await run(['promptrec', 'score', '--model', base, '--dataset', join(dir, 'bad.json'), '--user', '{}', '--item-file', join(dir, 'books.jsonl')]);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/bad\.json\.user: slot '\{mood\}' has no spec in slots/);
      expect((await run([...args, '--item-file', join(dir, 'none.jsonl')])).err).toMatch(/--item-file: .*none\.jsonl does not exist/);
      expect((await run(['promptrec', 'score', '--model', base, '--dataset', 'books', '--user', '{}'])).err).toMatch(/--dataset: expected ml-100k, coupon or a schema \.json file, got 'books'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
