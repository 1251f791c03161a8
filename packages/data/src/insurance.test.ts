import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetForTest, USER_ATTRIBUTE_SCHEMA } from '@xrec/core';
import { loadInsuranceAttackerSplit, loadInsuranceTsv } from './insurance.js';
import { tmp } from '../test/helpers.js';

const ins = datasetForTest('insurance-fairness');
if (ins.skipReason) console.warn(ins.skipReason);

describe('loadInsuranceTsv', () => {
  it.skipIf(!ins.path)('reads the real insurance.all.tsv with the published counts', () => {
    const d = loadInsuranceTsv(join(ins.path as string, 'insurance.all.tsv'));
    expect(d.interactions.numRows).toBe(66_339);
    expect(new Set(d.interactions.getChild('user')?.toArray() as string[]).size).toBe(29_131);
    expect(new Set(d.interactions.getChild('item')?.toArray() as string[]).size).toBe(21);
    expect(d.attributes).toEqual(['gender', 'marital_status', 'occupation', 'activity']);
    expect(d.userAttributes.numRows).toBe(29_131 * 4);
    expect(d.userAttributes.schema.fields.map((f) => f.name)).toEqual(USER_ATTRIBUTE_SCHEMA.fields.map((f) => f.name));
    const gender = new Map<string, number>();
    for (const row of d.userAttributes) {
      if (row?.attribute === 'gender') gender.set(row.value as string, (gender.get(row.value as string) ?? 0) + 1);
    }
    expect(Object.fromEntries(gender)).toEqual({ '1': 20_328, '0': 8_803 });
    for (const [file, rows] of [['insurance.train.tsv', 53_071], ['insurance.validation.tsv', 6_634], ['insurance.test.tsv', 6_634]] as const) {
      expect(loadInsuranceTsv(join(ins.path as string, file)).interactions.numRows).toBe(rows);
    }
  });

  it('conflicting attributes of one user and a bad header are DataErrors', () => {
    const dir = tmp();
    const f = join(dir, 'x.tsv');
    writeFileSync(f, 'uid\tiid\tlabel\tu_gender\n1\t2\t1\t0\n1\t3\t1\t1\n');
    expect(() => loadInsuranceTsv(f)).toThrow(/x\.tsv:3: user 1 has u_gender=1, but 0 on an earlier line/);
    writeFileSync(f, 'user\titem\tlabel\n');
    expect(() => loadInsuranceTsv(f)).toThrow(/header column 1 must be 'uid'/);
  });
});

describe('loadInsuranceAttackerSplit', () => {
  it.skipIf(!ins.path)('reads the real attacker splits with the published counts', () => {
    const tr = loadInsuranceAttackerSplit(join(ins.path as string, 'insurance_u_gender.attacker.train.tsv'), 'gender');
    const te = loadInsuranceAttackerSplit(join(ins.path as string, 'insurance_u_gender.attacker.test.tsv'), 'gender');
    expect([tr.size, te.size]).toEqual([23_305, 5_826]);
    expect(new Set(tr.values())).toEqual(new Set([0, 1]));
  });

  it('a wrong header, a non-integer class and a repeated user are DataErrors naming the line', () => {
    const f = (text: string) => {
      const p = join(tmp(), 'a.tsv');
      writeFileSync(p, text);
      return p;
    };
    expect(loadInsuranceAttackerSplit(f('uid\tu_gender\n1\t0\n2\t1\n'), 'gender')).toEqual(new Map([['1', 0], ['2', 1]]));
    expect(() => loadInsuranceAttackerSplit(f('uid\tu_age\n1\t0\n'), 'gender')).toThrow(/:1: expected the header 'uid<TAB>u_gender'/);
    expect(() => loadInsuranceAttackerSplit(f('uid\tu_gender\n1\t0.5\n'), 'gender')).toThrow(/a\.tsv:2/);
    expect(() => loadInsuranceAttackerSplit(f('uid\tu_gender\n1\t0\n1\t1\n'), 'gender')).toThrow(/:3: user 1 appears twice/);
  });
});
