import { describe, expect, it } from 'vitest';
import { datasetForTest } from '@xrec/core';
import { loadCoupons, loadMovieLens100K } from '@xrec/data';
import { COUPON_SCHEMA, couponItemText, couponPrompt, movieLensItemText, movieLensPrompt, MOVIELENS_SCHEMA, parseSchema, schemaItemText, schemaPrompt } from './index.js';

const ml = datasetForTest('movielens-100k');
const coupons = datasetForTest('uci-in-vehicle-coupon');
const masked = { sep: '[SEP]', mask: '[MASK]' };

// a small custom domain, as a user would write it in a JSON file
const BOOKS = {
  format: 'xrec-promptrec-schema',
  version: 1,
  name: 'books',
  user: 'The reader is a {age} {job} {city}.',
  item: 'The book {title} is a {genres} book {award}.',
  bridge: 'The user is that reader, and the item is that book.',
  slots: {
    age: { from: 'user', field: 'age', bins: [{ max: 17, word: 'young' }, { max: 64, word: 'adult' }], above: 'senior' },
    job: { from: 'user', field: 'job', lowercase: true, map: { 'n/a': 'freelance' }, unmapped: 'keep' },
    city: { from: 'user', field: 'city', prefix: 'from ', optional: true },
    title: { from: 'item', field: 'title', replace: [{ pattern: '\\s*\\[.*\\]$' }], trim: true },
    genres: { from: 'item', field: 'genres', list: true, map: { scifi: 'science fiction', crime: 'crime' }, unmapped: 'drop', optional: true },
    award: { from: 'item', field: 'awards', contains: 'Hugo', word: 'that won the Hugo', optional: true },
  },
};

describe('schema-driven verbalizer', () => {
  it('a custom schema: bins, maps, regex, lists, contains; missing optional slots vanish; clear errors', () => {
    const s = parseSchema(JSON.parse(JSON.stringify(BOOKS)), 'books.json');
    const book = { title: 'Dune [1965 edition]', genres: ['scifi', 'poetry', 'crime'], awards: ['Hugo', 'Nebula'] };
    expect(schemaPrompt(s, { age: 30, job: 'Nurse', city: 'Lyon' }, book, masked)).toBe(
      'The reader is a adult nurse from Lyon. The book Dune is a science fiction and crime book that won the Hugo. [SEP] The user is that reader, and the item is that book. In short, the user feels [MASK] about the item.',
    );
    expect(schemaPrompt(s, { age: '70', job: 'N/A' }, { title: 'Tales', genres: [] }, { sep: '<eos>' })).toBe(
      "The reader is a senior freelance. The book Tales is a book. <eos> The user is that reader, and the item is that book. In short, the user's attitude towards the item is",
    );
    expect(schemaItemText(s, book)).toBe('The book Dune is a science fiction and crime book that won the Hugo.');
    expect(() => schemaPrompt(s, { job: 'nurse' }, book, masked)).toThrow(/books: slot 'age' has no value \(user.age = undefined\) and is not optional/);
    expect(() => schemaPrompt(s, { age: 'old', job: 'x' }, book, masked)).toThrow(/slot 'age': user.age = "old" is not a number/);
    expect(() => schemaPrompt(s, { age: 3, job: 'x' }, { ...book, genres: 'scifi' }, masked)).toThrow(/slot 'genres': item.genres must be a list/);
    const strict = parseSchema({ ...BOOKS, slots: { ...BOOKS.slots, job: { from: 'user', field: 'job', map: { nurse: 'nurse' } } } });
    expect(() => schemaPrompt(strict, { age: 3, job: 'pilot' }, book, masked)).toThrow(/slot 'job': no word for user.job = "pilot" \(known: nurse; set "unmapped"/);
  });

  it('parseSchema says what is wrong and where', () => {
    const bad = (patch: Record<string, unknown>) => () => parseSchema({ ...BOOKS, ...patch }, 'f.json');
    const slot = (name: string, spec: unknown) => bad({ slots: { ...BOOKS.slots, [name]: spec } });
    expect(() => parseSchema([], 'f.json')).toThrow(/^f.json: expected a JSON object/);
    expect(bad({ format: 'x' })).toThrow(/f.json.format: expected "xrec-promptrec-schema"/);
    expect(bad({ version: 2 })).toThrow(/f.json.version: expected 1, got 2/);
    expect(bad({ user: 'The {who} reads.' })).toThrow(/f.json.user: slot '\{who\}' has no spec in slots/);
    expect(slot('age', { from: 'user', field: 'age', bins: [{ max: 5, word: 'a' }, { max: 5, word: 'b' }] })).toThrow(/f.json.slots.age.bins\[1\].max: bins must be in increasing order/);
    expect(slot('age', { from: 'reader', field: 'age' })).toThrow(/f.json.slots.age.from: expected "user" or "item"/);
    expect(slot('age', { from: 'user', field: 'age', colour: 1 })).toThrow(/f.json.slots.age: unknown key 'colour'/);
    expect(slot('title', { from: 'item', field: 'title', replace: [{ pattern: '(' }] })).toThrow(/f.json.slots.title.replace\[0\].pattern: Invalid regular expression/);
    expect(slot('title', { from: 'user', field: 'title' })).toThrow(/f.json.slots.title.from: a slot of the item sentence must read the item/);
    expect(slot('award', { from: 'item', field: 'awards', contains: 'Hugo' })).toThrow(/'contains' and 'word' go together/);
    expect(slot('job', { from: 'user', field: 'job', unmapped: 'ignore' })).toThrow(/slots.job.unmapped: expected "error", "keep" or "drop"/);
  });

  it('the built-in schemas survive JSON (they are what a user copies to start their own)', () => {
    for (const s of [MOVIELENS_SCHEMA, COUPON_SCHEMA]) expect(parseSchema(JSON.parse(JSON.stringify(s)))).toEqual(s);
  });

  it.skipIf(!ml.path)(`ML-100K in the schema gives the hand-written verbalizer's prompt for every user and every movie ${ml.skipReason ?? ''}`, () => {
    const d = loadMovieLens100K(ml.path!);
    const s = parseSchema(JSON.parse(JSON.stringify(MOVIELENS_SCHEMA)));
    for (const [k, u] of d.users.entries()) {
      const it = d.items[(k * 7) % d.items.length]!;
      expect(schemaPrompt(s, u, it, masked)).toBe(movieLensPrompt(u, it, masked));
    }
    for (const it of d.items) {
      expect(schemaPrompt(s, d.users[0]!, it, { sep: '<eos>' })).toBe(movieLensPrompt(d.users[0]!, it, { sep: '<eos>' }));
      expect(schemaItemText(s, it)).toBe(movieLensItemText(it));
    }
  });

  it.skipIf(!coupons.path)(`the coupon data in the schema gives the hand-written verbalizer's prompt on every row ${coupons.skipReason ?? ''}`, () => {
    const d = loadCoupons(coupons.path!);
    const s = parseSchema(JSON.parse(JSON.stringify(COUPON_SCHEMA)));
    for (const r of d.rows) expect(schemaPrompt(s, r.user, r.item, masked)).toBe(couponPrompt(r.user, r.item, masked));
    for (const it of d.items) expect(schemaItemText(s, it)).toBe(couponItemText(it));
  });
});
