import { describe, it, expect } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, datasetForTest, INTERACTION_SCHEMA } from '@xrec/core';
import { loadMovieLens100K, loadMovieLens1M } from './movielens.js';
import { tmp } from '../test/helpers.js';

const ml100k = datasetForTest('movielens-100k');
const ml1m = datasetForTest('movielens-1m');
if (ml100k.skipReason) console.warn(ml100k.skipReason);
if (ml1m.skipReason) console.warn(ml1m.skipReason);

describe('loadMovieLens100K', () => {
  it.skipIf(!ml100k.path)('reads the real files with the published counts', () => {
    const d = loadMovieLens100K(ml100k.path as string);
    expect(d.ratings.numRows).toBe(100_000);
    expect(d.ratings.schema.fields.map((f) => f.name)).toEqual(INTERACTION_SCHEMA.fields.map((f) => f.name));
    const users = new Set(d.ratings.getChild('user')?.toArray() as string[]);
    const items = new Set(d.ratings.getChild('item')?.toArray() as string[]);
    expect(users.size).toBe(943);
    expect(items.size).toBe(1682);
    expect(d.users).toHaveLength(943);
    expect(d.items).toHaveLength(1682);
    expect(d.userAttributes.numRows).toBe(943 * 4);
    expect(d.genres).toHaveLength(19);
    expect(d.genres[0]).toBe('unknown');
    expect(d.occupations).toHaveLength(21);
    expect(d.folds).toHaveLength(5);
    for (const f of d.folds) {
      expect(f.test.numRows).toBe(20_000);
      expect(f.base.numRows).toBe(80_000);
    }
    // u.item is Latin-1: item 543 is "Misérables, Les (1995)".
    expect(d.items.find((i) => i.item === '543')?.title).toBe('Misérables, Les (1995)');
    expect(d.items[0]).toMatchObject({ item: '1', title: 'Toy Story (1995)', genres: ['Animation', "Children's", 'Comedy'] });
    const r0 = d.ratings.get(0)?.toJSON();
    expect(r0).toMatchObject({ user: '196', item: '242', rating: 3, timestamp: 881250949n });
  });

  it('a line with a wrong field count is a DataError with file and line', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'u.genre'), 'unknown|0\nAction|1\n');
    writeFileSync(join(dir, 'u.occupation'), 'none\n');
    writeFileSync(join(dir, 'u.user'), '1|24|M|none|85711\n2|53\n');
    expect(() => loadMovieLens100K(dir)).toThrow(DataError);
    expect(() => loadMovieLens100K(dir)).toThrow(/u\.user:2: expected 5 '\|'-separated fields, got 2/);
  });
});

describe('loadMovieLens1M', () => {
  it.skipIf(!ml1m.path)('reads the real users.dat and movies.dat (Latin-1) with the published counts', () => {
    const d = loadMovieLens1M(ml1m.path as string, { requireRatings: false });
    expect(d.users).toHaveLength(6040);
    expect(d.items).toHaveLength(3883);
    expect(d.items.find((i) => i.item === '73')?.title).toBe('Misérables, Les (1995)');
    expect(d.items[0]).toMatchObject({ item: '1', title: 'Toy Story (1995)', releaseDate: '1995', genres: ['Animation', "Children's", 'Comedy'] });
    expect(d.users[0]).toMatchObject({ user: '1', gender: 'F', age: 1, occupation: '10', zip: '48067' });
  });

  it('reads ratings.dat (:: separated) and requires it by default', () => {
    const dir = tmp();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'users.dat'), '1::F::1::10::48067\n2::M::56::16::70072\n');
    writeFileSync(join(dir, 'movies.dat'), Buffer.from('1::Toy Story (1995)::Animation|Comedy\n73::Mis\xe9rables, Les (1995)::Drama|Musical\n', 'latin1'));
    expect(() => loadMovieLens1M(dir)).toThrow(/ratings\.dat not found/);
    writeFileSync(join(dir, 'ratings.dat'), '1::1::5::978300760\n2::73::3::978302109\n');
    const d = loadMovieLens1M(dir);
    expect(d.ratings?.numRows).toBe(2);
    expect(d.ratings?.get(1)?.toJSON()).toMatchObject({ user: '2', item: '73', rating: 3, timestamp: 978302109n });
    expect(d.items[1]?.title).toBe('Misérables, Les (1995)');
    writeFileSync(join(dir, 'ratings.dat'), '1::1::five::978300760\n');
    expect(() => loadMovieLens1M(dir)).toThrow(/ratings\.dat:1: field 'rating' must be a number, got 'five'/);
  });
});
