/**
 * Coupon rows (UCI in-vehicle coupon data) as PromptRec prompts, with the reference's template and value
 * maps (datautils/coupons.py: `CouponsMeta`):
 *
 *   It is a {temperature} {weather} {time}. The {occupation} is a {salary} and {age} {gender} driving
 *   {destination} {passenger}. A {coupon} located in the {direction} driving direction is {distance}, and sends
 *   a coupon that expires in {expiration}. [SEP] The user is that driver, and the item is that coupon.
 *   In short, the user feels [MASK] about the item.
 *
 * `passenger` is optional ("with friends" / "with kids"; alone or with a partner the slot is dropped, as the
 * reference's map has no entry for them). Occupations go through the reference's occupation map.
 */
import { ConfigError } from '@xrec/core';
import type { CouponItem, CouponUser } from '@xrec/data';
import { CAUSAL_SUFFIX, MASKED_SUFFIX } from './movielens.js';
import { renderTemplate } from './template.js';

export const COUPON_USER = 'It is a {temperature} {weather} {time}. The {occupation} is a {salary} and {age} {gender} driving {destination} {passenger}.';
export const COUPON_ITEM = 'A {coupon} located in the {direction} driving direction is {distance}, and sends a coupon that expires in {expiration}.';
export const COUPON_BRIDGE = 'The user is that driver, and the item is that coupon.';

/** The reference's value → word maps of the coupon fields. */
export const COUPON_WORDS = {
  destination: { 'No Urgent Place': 'to somewhere', Home: 'home', Work: 'to the office' },
  passenger: { 'Friend(s)': 'with friends', 'Kid(s)': 'with kids' },
  weather: { Rainy: 'rainy', Sunny: 'sunny', Snowy: 'snowy' },
  temperature: { '30': 'freezing', '55': 'cold', '80': 'hot' },
  time: { '7AM': 'early morning', '10AM': 'morning', '2PM': 'afternoon', '6PM': 'night', '10PM': 'late night' },
  gender: { Male: 'man', Female: 'woman' },
  age: { below21: 'teenage', '21': 'young', '26': 'young', '31': 'young', '36': 'middle aged', '41': 'middle aged', '46': 'middle aged', '50plus': 'old' },
  salary: {
    'Less than $12500': 'low income',
    '$12500 - $24999': 'low income',
    '$25000 - $37499': 'low income',
    '$37500 - $49999': 'low income',
    '$50000 - $62499': 'moderate income',
    '$62500 - $74999': 'moderate income',
    '$75000 - $87499': 'moderate income',
    '$87500 - $99999': 'high income',
    '$100000 or More': 'high income',
  },
  coupon: { 'Restaurant(<20)': 'famous restaurant', 'Restaurant(20-50)': 'restaurant', Bar: 'bar', 'Carry out & Take away': 'takeaway store', 'Coffee House': 'cafe' },
  expiration: { '2h': 'two hours', '1d': 'one day' },
  distance: { '0': 'very close', '1': 'close', '2': 'far', '3': 'very far' },
  direction: { '1': 'same', '0': 'opposite' },
} as const satisfies Record<string, Record<string, string>>;

/** The reference's occupation map (keys lower-cased); other occupations are used lower-cased as they are. */
export const COUPON_OCCUPATIONS: Readonly<Record<string, string>> = {
  'architecture & engineering': 'engineer',
  'transportation & material moving': 'technician',
  'construction & extraction': 'engineer',
  'community & social services': 'administrator',
  'protective service': 'police',
  'office & administrative support': 'administrator',
  'business & financial': 'executive',
  'sales & related': 'salesman',
  'installation maintenance & repair': 'technician',
  management: 'administrator',
  'computer & mathematical': 'programmer',
  'food preparation & serving related': 'homemaker',
  'life physical social science': 'scientist',
  'personal care & service': 'healthcare',
  unemployed: 'freelance',
  'building & grounds cleaning & maintenance': 'homemaker',
  'healthcare support': 'healthcare',
  'education&training&library': 'educator',
  'arts design entertainment sports & media': 'entertainment',
  'farming fishing & forestry': 'freelance',
  legal: 'lawyer',
  'healthcare practitioners & technical': 'doctor',
  'production occupations': 'technician',
  other: 'freelance',
  none: 'freelance',
};

function word(map: keyof typeof COUPON_WORDS, value: string, optional = false): string | undefined {
  const w = (COUPON_WORDS[map] as Record<string, string>)[value];
  if (w === undefined && !optional) throw new ConfigError(`couponSlots: no word for ${map} '${value}' (known: ${Object.keys(COUPON_WORDS[map]).join(', ')})`);
  return w;
}

/** The slot values of one (user, coupon) pair. */
export function couponSlots(u: CouponUser, it: CouponItem): Record<string, string | undefined> {
  const occ = u.occupation.toLowerCase();
  return {
    temperature: word('temperature', u.temperature),
    weather: word('weather', u.weather),
    time: word('time', u.time),
    occupation: COUPON_OCCUPATIONS[occ] ?? occ,
    salary: word('salary', u.income),
    age: word('age', u.age),
    gender: word('gender', u.gender),
    destination: word('destination', u.destination),
    passenger: word('passenger', u.passanger, true),
    coupon: word('coupon', it.coupon),
    direction: word('direction', it.direction),
    distance: word('distance', String(it.distance)),
    expiration: word('expiration', it.expiration),
  };
}

/** The prompt of a pair (`sep` and `mask` as for {@link movieLensPrompt}). */
export function couponPrompt(u: CouponUser, it: CouponItem, tokens: { sep: string; mask?: string }): string {
  const s = couponSlots(u, it);
  const profile = `${renderTemplate(COUPON_USER, s, new Set(['passenger']))} ${renderTemplate(COUPON_ITEM, s)}`;
  const question = `${COUPON_BRIDGE} ${tokens.mask !== undefined ? renderTemplate(MASKED_SUFFIX, { mask: tokens.mask }) : CAUSAL_SUFFIX}`;
  return `${profile} ${tokens.sep} ${question}`;
}

/** A coupon's own sentence (the item half of the template): TPPT's domain keywords come from these. */
export function couponItemText(it: CouponItem): string {
  return renderTemplate(COUPON_ITEM, {
    coupon: word('coupon', it.coupon),
    direction: word('direction', it.direction),
    distance: word('distance', String(it.distance)),
    expiration: word('expiration', it.expiration),
  });
}
