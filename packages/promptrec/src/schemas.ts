/**
 * ML-100K and the coupon data as {@link PromptSchema}s: the same prompts as the hand-written verbalizers
 * (movielens.ts, coupons.ts — a test compares them on every row), and a starting point for a user's own data.
 */
import { COUPON_BRIDGE, COUPON_ITEM, COUPON_OCCUPATIONS, COUPON_USER, COUPON_WORDS } from './coupons.js';
import { MOVIELENS_BRIDGE, MOVIELENS_ITEM, MOVIELENS_USER } from './movielens.js';
import type { PromptSchema, SlotSpec } from './schema.js';
import { GENRE_WORDS } from './verbalizer.js';

const CHILDREN = "Children's";

export const MOVIELENS_SCHEMA: PromptSchema = {
  format: 'xrec-promptrec-schema',
  version: 1,
  name: 'ml-100k',
  user: MOVIELENS_USER,
  item: MOVIELENS_ITEM,
  bridge: MOVIELENS_BRIDGE,
  slots: {
    gender: { from: 'user', field: 'gender', map: { M: 'man', F: 'woman' } },
    age: { from: 'user', field: 'age', bins: [{ max: 13, word: 'childhood' }, { max: 20, word: 'teenage' }, { max: 35, word: 'young' }, { max: 65, word: 'middle aged' }], above: 'old' },
    occupation: { from: 'user', field: 'occupation', lowercase: true, map: { other: 'freelance', none: 'freelance' }, unmapped: 'keep' },
    area: { from: 'user', field: 'zip', builtin: 'us-state-of-zip', prefix: 'living in ', optional: true },
    // "Toy Story (1995)" → "Toy Story"; a trailing ", The" and a leading "The" go (as the reference does)
    title: { from: 'item', field: 'title', replace: [{ pattern: '.\\(\\d{4}\\)$' }, { pattern: ', The$' }, { pattern: '^The' }], trim: true },
    categories: { from: 'item', field: 'genres', list: true, map: Object.fromEntries(Object.entries(GENRE_WORDS).filter(([g]) => g !== CHILDREN)), unmapped: 'drop', optional: true },
    kid: { from: 'item', field: 'genres', contains: CHILDREN, word: 'for children', optional: true },
  },
};

const coupon = (from: 'user' | 'item', field: string, words: keyof typeof COUPON_WORDS, extra: Partial<SlotSpec> = {}): SlotSpec => ({ from, field, map: COUPON_WORDS[words], ...extra });

export const COUPON_SCHEMA: PromptSchema = {
  format: 'xrec-promptrec-schema',
  version: 1,
  name: 'coupon',
  user: COUPON_USER,
  item: COUPON_ITEM,
  bridge: COUPON_BRIDGE,
  slots: {
    temperature: coupon('user', 'temperature', 'temperature'),
    weather: coupon('user', 'weather', 'weather'),
    time: coupon('user', 'time', 'time'),
    occupation: { from: 'user', field: 'occupation', lowercase: true, map: COUPON_OCCUPATIONS, unmapped: 'keep' },
    salary: coupon('user', 'income', 'salary'),
    age: coupon('user', 'age', 'age'),
    gender: coupon('user', 'gender', 'gender'),
    destination: coupon('user', 'destination', 'destination'),
    passenger: coupon('user', 'passanger', 'passenger', { unmapped: 'drop', optional: true }),
    coupon: coupon('item', 'coupon', 'coupon'),
    direction: coupon('item', 'direction', 'direction'),
    distance: coupon('item', 'distance', 'distance'),
    expiration: coupon('item', 'expiration', 'expiration'),
  },
};

/** The built-in schemas by dataset name. */
export const BUILTIN_SCHEMAS: Readonly<Record<string, PromptSchema>> = { 'ml-100k': MOVIELENS_SCHEMA, coupon: COUPON_SCHEMA };
