/**
 * The UCI in-vehicle coupon recommendation data (Wang et al., JMLR 2017; PromptRec's second cold-start domain):
 * one CSV, 12,684 survey answers "would the driver accept this coupon?" (`Y`). As PromptRec prepares it
 * (prepare_datasets.py: `prepare_coupon`), a **user** is the distinct tuple of the twelve user/context fields
 * (destination … income) and an **item** the distinct tuple of the coupon type, expiration, the driver's car and
 * visit-frequency columns (the reference puts those in the item), the distance — the sum of the three
 * `toCoupon_GEQ*` flags — and `direction_same`; click = `Y`. The copy in the shared data names two columns
 * `couponType` and `cartype` (UCI: `coupon`, `car`); both spellings are read. The file is not part of the
 * repository: {@link verifyCoupons} checks it against its known SHA-256.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, NotFoundError } from '@xrec/core';
import { readTextLines, splitFields } from './delimited.js';
import { sha256Hex } from './movielens-fetch.js';

export const COUPONS_FILE = 'in-vehicle-coupon-recommendation.csv';
export const COUPONS_SHA256 = 'e5afc26a09b764448e5695376e5443283ab2d7d4954f87d76c0fff9ab4c7554b';

/** The twelve user/context fields, in the file's order. */
export const COUPON_USER_FIELDS = ['destination', 'passanger', 'weather', 'temperature', 'time', 'gender', 'age', 'maritalStatus', 'has_children', 'education', 'occupation', 'income'] as const;

export type CouponUser = Readonly<Record<(typeof COUPON_USER_FIELDS)[number], string>> & { readonly id: string };

export interface CouponItem {
  readonly id: string;
  readonly coupon: string;
  readonly expiration: string;
  readonly car: string;
  /** Sum of toCoupon_GEQ5min/15min/25min: 1 (close) … 3 (very far); 0 never occurs in the file. */
  readonly distance: number;
  /** direction_same: '1' or '0'. */
  readonly direction: string;
  /** Bar, CoffeeHouse, CarryAway, RestaurantLessThan20, Restaurant20To50 (never, less1, 1~3, 4~8, gt8 or empty). */
  readonly visits: readonly string[];
}

export interface CouponRow {
  readonly user: CouponUser;
  readonly item: CouponItem;
  readonly click: 0 | 1;
}

const ALIASES: Readonly<Record<string, string>> = { couponType: 'coupon', cartype: 'car' };
const VISITS = ['Bar', 'CoffeeHouse', 'CarryAway', 'RestaurantLessThan20', 'Restaurant20To50'] as const;
const NEEDED = [...COUPON_USER_FIELDS, 'coupon', 'expiration', 'car', ...VISITS, 'toCoupon_GEQ5min', 'toCoupon_GEQ15min', 'toCoupon_GEQ25min', 'direction_same', 'Y'];

/** Problems of a coupon folder: the CSV missing or its SHA-256 not the known one (empty when fine). */
export function verifyCoupons(dir: string): string[] {
  const p = join(dir, COUPONS_FILE);
  if (!existsSync(p)) return [`${COUPONS_FILE} missing`];
  const got = sha256Hex(readFileSync(p));
  return got === COUPONS_SHA256 ? [] : [`${COUPONS_FILE}: SHA-256 ${got.slice(0, 12)}… differs from the known ${COUPONS_SHA256.slice(0, 12)}…`];
}

function flag(v: string, where: string, name: string): 0 | 1 {
  if (v !== '0' && v !== '1') throw new DataError(`${where}: ${name} must be 0 or 1, got '${v}'`);
  return v === '1' ? 1 : 0;
}

/**
 * Read the coupon CSV of `dir` (or a CSV path): rows with their user and item (ids `u<k>` / `i<k>` in order of
 * first appearance, as the reference numbers them). `verify` (default true) checks the SHA-256 first.
 */
export function loadCoupons(dirOrFile: string, opts: { verify?: boolean } = {}): { rows: CouponRow[]; users: CouponUser[]; items: CouponItem[] } {
  const path = dirOrFile.endsWith('.csv') ? dirOrFile : join(dirOrFile, COUPONS_FILE);
  if (!existsSync(path)) throw new NotFoundError(`loadCoupons: ${path} not found (the UCI in-vehicle coupon CSV)`);
  if (opts.verify !== false && !dirOrFile.endsWith('.csv')) {
    const problems = verifyCoupons(dirOrFile);
    if (problems.length) throw new DataError(`loadCoupons: ${dirOrFile}: ${problems.join('; ')}`);
  }
  const lines = readTextLines(path, 'loadCoupons');
  if (lines.length === 0) throw new DataError(`${path}: empty file`);
  const header = lines[0]!.line.split(',').map((c) => ALIASES[c] ?? c);
  const col = new Map(header.map((c, i) => [c, i]));
  const missing = NEEDED.filter((c) => !col.has(c));
  if (missing.length) throw new DataError(`${path}:1: missing column(s) ${missing.join(', ')}`);
  const users = new Map<string, CouponUser>();
  const items = new Map<string, CouponItem>();
  const rows: CouponRow[] = [];
  for (const { line, lineNo } of lines.slice(1)) {
    if (line.trim() === '') continue;
    const where = `${path}:${lineNo}`;
    const f = splitFields(line, ',', header.length, where);
    const get = (c: string): string => f[col.get(c)!]!;
    const uVals = COUPON_USER_FIELDS.map(get);
    const uKey = uVals.join('|');
    let user = users.get(uKey);
    if (!user) {
      user = Object.freeze({ id: `u${users.size}`, ...Object.fromEntries(COUPON_USER_FIELDS.map((k, i) => [k, uVals[i]!])) }) as CouponUser;
      users.set(uKey, user);
    }
    const distance = flag(get('toCoupon_GEQ5min'), where, 'toCoupon_GEQ5min') + flag(get('toCoupon_GEQ15min'), where, 'toCoupon_GEQ15min') + flag(get('toCoupon_GEQ25min'), where, 'toCoupon_GEQ25min');
    const direction = String(flag(get('direction_same'), where, 'direction_same'));
    const visits = VISITS.map(get);
    const iKey = [get('coupon'), get('expiration'), get('car'), ...visits, distance, direction].join('|');
    let item = items.get(iKey);
    if (!item) {
      item = Object.freeze({ id: `i${items.size}`, coupon: get('coupon'), expiration: get('expiration'), car: get('car'), distance, direction, visits: Object.freeze(visits) });
      items.set(iKey, item);
    }
    rows.push({ user, item, click: flag(get('Y'), where, 'Y') });
  }
  return { rows, users: [...users.values()], items: [...items.values()] };
}
