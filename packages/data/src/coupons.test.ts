import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, datasetForTest } from '@xrec/core';
import { loadCoupons, verifyCoupons } from './coupons.js';

const HEADER = 'destination,passanger,weather,temperature,time,couponType,expiration,gender,age,maritalStatus,has_children,education,occupation,income,cartype,Bar,CoffeeHouse,CarryAway,RestaurantLessThan20,Restaurant20To50,toCoupon_GEQ5min,toCoupon_GEQ15min,toCoupon_GEQ25min,direction_same,direction_opp,Y';
const ROW = 'No Urgent Place,Alone,Sunny,55,2PM,Restaurant(<20),1d,Female,21,Unmarried partner,1,Some college - no degree,Unemployed,$37500 - $49999,,never,never,,4~8,1~3,1,0,0,0,1,1';

describe('UCI in-vehicle coupon data', () => {
  it('users and items as PromptRec prepares them; distance = Σ toCoupon flags; bad values named by line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xrec-coupon-'));
    const f = join(dir, 'c.csv');
    writeFileSync(f, [HEADER, ROW, ROW.replace(/,1$/, ',0').replace('Restaurant(<20)', 'Bar').replace('1,0,0,0,1', '1,1,1,1,0'), ROW].join('\n') + '\n');
    const d = loadCoupons(f);
    expect(d.rows).toHaveLength(3);
    expect(d.users).toHaveLength(1);
    expect(d.items.map((i) => [i.coupon, i.distance, i.direction])).toEqual([
      ['Restaurant(<20)', 1, '0'],
      ['Bar', 3, '1'],
    ]);
    expect(d.rows.map((r) => r.click)).toEqual([1, 0, 1]);
    expect(d.users[0]).toMatchObject({ destination: 'No Urgent Place', passanger: 'Alone', temperature: '55', income: '$37500 - $49999' });
    writeFileSync(f, [HEADER, ROW.replace(/,1$/, ',yes')].join('\n'));
    expect(() => loadCoupons(f)).toThrow(/c\.csv:2: Y must be 0 or 1, got 'yes'/);
    writeFileSync(f, 'a,b\n1,2\n');
    expect(() => loadCoupons(f)).toThrow(DataError);
    expect(verifyCoupons(dir)).toEqual(['in-vehicle-coupon-recommendation.csv missing']);
  });

  const shared = datasetForTest('uci-in-vehicle-coupon');
  it.skipIf(!shared.path)(`the shared copy: checksum, 12,684 rows (7,210 accepted) ${shared.skipReason ?? ''}`, () => {
    expect(verifyCoupons(shared.path!)).toEqual([]);
    const d = loadCoupons(shared.path!);
    expect(d.rows).toHaveLength(12684);
    expect(d.rows.filter((r) => r.click === 1)).toHaveLength(7210);
    expect(new Set(d.items.map((i) => i.distance))).toEqual(new Set([1, 2, 3]));
  });
});
