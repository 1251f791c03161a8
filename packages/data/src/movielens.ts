/**
 * MovieLens (Harper & Konstan, ACM TiiS 2015) loaders.
 * - 100K: `u.data` (user \t item \t rating \t time), `u.user` (id|age|gender|occupation|zip), `u.item`
 *   (Latin-1: id|title|release|video release|IMDb URL|19 genre flags), `u.genre`, `u.occupation`,
 *   and the five folds `u1..u5.base/.test`.
 * - 1M: `ratings.dat` (UserID::MovieID::Rating::Timestamp), `users.dat` (UserID::Gender::Age::Occupation::Zip),
 *   `movies.dat` (Latin-1: MovieID::Title::Genres with '|' between genres).
 * Ratings become INTERACTION_SCHEMA tables, user demographics USER_ATTRIBUTE_SCHEMA tables (one row per
 * user and attribute); items are plain records (core has no item schema).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { DataError, INTERACTION_SCHEMA, NotFoundError, USER_ATTRIBUTE_SCHEMA } from '@xrec/core';
import { tableFromColumns } from './arrow-table.js';
import { numberField, readTextLines, splitFields } from './delimited.js';

export interface MovieLensItem {
  readonly item: string;
  readonly title: string;
  readonly releaseDate: string;
  readonly imdbUrl: string;
  readonly genres: readonly string[];
}

export interface MovieLensUser {
  readonly user: string;
  readonly age: number;
  readonly gender: string;
  readonly occupation: string;
  readonly zip: string;
}

export interface MovieLensFold {
  readonly base: Table;
  readonly test: Table;
}

export interface MovieLens100K {
  readonly ratings: Table;
  readonly users: readonly MovieLensUser[];
  readonly userAttributes: Table;
  readonly items: readonly MovieLensItem[];
  readonly genres: readonly string[];
  readonly occupations: readonly string[];
  /** u1..u5: base 80,000 / test 20,000 ratings each. */
  readonly folds: readonly MovieLensFold[];
}

export interface MovieLens1M {
  /** Undefined only when loaded with `requireRatings: false` and ratings.dat is absent. */
  readonly ratings: Table | undefined;
  readonly users: readonly MovieLensUser[];
  readonly userAttributes: Table;
  readonly items: readonly MovieLensItem[];
}

function ratingsFile(path: string, sep: string, what: string): Table {
  const users: string[] = [];
  const items: string[] = [];
  const ratings: number[] = [];
  const times: bigint[] = [];
  for (const { line, lineNo } of readTextLines(path, what)) {
    const where = `${path}:${lineNo}`;
    const f = splitFields(line, sep, 4, where);
    users.push(String(numberField(f[0] as string, where, 'user', true)));
    items.push(String(numberField(f[1] as string, where, 'item', true)));
    ratings.push(numberField(f[2] as string, where, 'rating'));
    times.push(BigInt(numberField(f[3] as string, where, 'timestamp', true)));
  }
  return tableFromColumns(INTERACTION_SCHEMA, { user: users, item: items, rating: ratings, timestamp: times }, users.length);
}

function userAttributeTable(users: readonly MovieLensUser[]): Table {
  const u: string[] = [];
  const a: string[] = [];
  const v: string[] = [];
  for (const x of users) {
    for (const [attr, val] of [['age', String(x.age)], ['gender', x.gender], ['occupation', x.occupation], ['zip', x.zip]] as const) {
      u.push(x.user);
      a.push(attr);
      v.push(val);
    }
  }
  return tableFromColumns(USER_ATTRIBUTE_SCHEMA, { user: u, attribute: a, value: v }, u.length);
}

function requireDir(dir: string, what: string): void {
  if (!existsSync(dir)) throw new NotFoundError(`${what}: directory not found: ${dir}`);
}

/** Load an extracted ml-100k folder. */
export function loadMovieLens100K(dir: string): MovieLens100K {
  const what = 'loadMovieLens100K';
  requireDir(dir, what);
  const genres: string[] = [];
  for (const { line, lineNo } of readTextLines(join(dir, 'u.genre'), what)) {
    const f = splitFields(line, '|', 2, `${join(dir, 'u.genre')}:${lineNo}`);
    const idx = numberField(f[1] as string, `${join(dir, 'u.genre')}:${lineNo}`, 'index', true);
    genres[idx] = f[0] as string;
  }
  const occupations = readTextLines(join(dir, 'u.occupation'), what).map((l) => l.line.trim());
  const users = readTextLines(join(dir, 'u.user'), what).map(({ line, lineNo }) => {
    const where = `${join(dir, 'u.user')}:${lineNo}`;
    const f = splitFields(line, '|', 5, where);
    return { user: String(numberField(f[0] as string, where, 'user', true)), age: numberField(f[1] as string, where, 'age', true), gender: f[2] as string, occupation: f[3] as string, zip: f[4] as string };
  });
  const itemFile = join(dir, 'u.item');
  const items = readTextLines(itemFile, what, 'latin1').map(({ line, lineNo }) => {
    const where = `${itemFile}:${lineNo}`;
    const f = splitFields(line, '|', 5 + genres.length, where);
    const flags = f.slice(5);
    const itemGenres: string[] = [];
    flags.forEach((flag, g) => {
      if (flag !== '0' && flag !== '1') throw new DataError(`${where}: genre flag ${g} must be 0 or 1, got '${flag}'`);
      if (flag === '1') itemGenres.push(genres[g] ?? `genre${g}`);
    });
    return { item: String(numberField(f[0] as string, where, 'item', true)), title: f[1] as string, releaseDate: f[2] as string, imdbUrl: f[4] as string, genres: itemGenres };
  });
  const ratings = ratingsFile(join(dir, 'u.data'), '\t', what);
  const folds: MovieLensFold[] = [];
  for (let k = 1; k <= 5; k++) {
    folds.push({ base: ratingsFile(join(dir, `u${k}.base`), '\t', what), test: ratingsFile(join(dir, `u${k}.test`), '\t', what) });
  }
  return { ratings, users, userAttributes: userAttributeTable(users), items, genres, occupations, folds };
}

/** Load an extracted ml-1m folder. */
export function loadMovieLens1M(dir: string, opts: { requireRatings?: boolean } = {}): MovieLens1M {
  const what = 'loadMovieLens1M';
  requireDir(dir, what);
  const usersFile = join(dir, 'users.dat');
  const users = readTextLines(usersFile, what).map(({ line, lineNo }) => {
    const where = `${usersFile}:${lineNo}`;
    const f = splitFields(line, '::', 5, where);
    return { user: String(numberField(f[0] as string, where, 'user', true)), gender: f[1] as string, age: numberField(f[2] as string, where, 'age', true), occupation: f[3] as string, zip: f[4] as string };
  });
  const moviesFile = join(dir, 'movies.dat');
  const items = readTextLines(moviesFile, what, 'latin1').map(({ line, lineNo }) => {
    const where = `${moviesFile}:${lineNo}`;
    const f = splitFields(line, '::', 3, where);
    const title = f[1] as string;
    const year = /\((\d{4})\)\s*$/.exec(title);
    return { item: String(numberField(f[0] as string, where, 'item', true)), title, releaseDate: year ? (year[1] as string) : '', imdbUrl: '', genres: (f[2] as string).split('|').filter((g) => g !== '') };
  });
  const ratingsPath = join(dir, 'ratings.dat');
  let ratings: Table | undefined;
  if (existsSync(ratingsPath)) ratings = ratingsFile(ratingsPath, '::', what);
  else if (opts.requireRatings !== false) throw new NotFoundError(`${what}: ${ratingsPath} not found (pass requireRatings: false to load users and movies only)`);
  return { ratings, users, userAttributes: userAttributeTable(users), items };
}
