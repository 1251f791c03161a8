import { describe, it, expect } from 'vitest';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, EXPLANATION_SCHEMA } from '@xrec/core';
import { loadPeterDataset } from './peter.js';
import { loadExplanationDataset } from './explanation-dataset.js';
import { FIXTURES, tmp } from '../test/helpers.js';

// Fixtures: test/fixtures/make_pickles.py (Python's pickle, protocols 2 and 4, PETER's exact structure).
describe('loadPeterDataset (reviews.pickle + 1/..5/)', () => {
  it.each([2, 4])('reads a protocol-%i pickle made by Python', (protocol) => {
    const d = loadPeterDataset(join(FIXTURES, `peter-p${protocol}`));
    expect(d.records).toHaveLength(40);
    expect(d.records[1]).toEqual({ user: 'U01', item: 'I01', rating: 2, feature: 'price', opinion: 'cheap', sentence: 'the price is cheap for me', sentiment: 1 });
    expect(d.records[2]?.sentiment).toBe(-1);
    expect(d.table.numRows).toBe(40);
    expect(d.table.schema.fields.map((f) => f.name)).toEqual(EXPLANATION_SCHEMA.fields.map((f) => f.name));
    expect(d.splits).toHaveLength(5);
    for (const s of d.splits) {
      expect(s.train.length + s.validation.length + s.test.length).toBe(40);
      expect(new Set([...s.train, ...s.validation, ...s.test]).size).toBe(40);
    }
  });

  it('protocols 2 and 4 give identical records and splits', () => {
    const a = loadPeterDataset(join(FIXTURES, 'peter-p2'));
    const b = loadPeterDataset(join(FIXTURES, 'peter-p4'));
    expect(a.records).toEqual(b.records);
    expect(a.splits).toEqual(b.splits);
  });

  it('a pickle of the wrong structure is a DataError naming record and field', () => {
    expect(() => loadPeterDataset(join(FIXTURES, 'peter-bad-structure'))).toThrow(DataError);
    expect(() => loadPeterDataset(join(FIXTURES, 'peter-bad-structure'))).toThrow(/record 3: field 'template' must be a 4-tuple/);
  });

  it('an index that names a row past the end is a DataError naming the file', () => {
    expect(() => loadPeterDataset(join(FIXTURES, 'peter-bad-index'))).toThrow(/3\/test\.index: entry 3 names row 42, past the end of the 40 records/);
  });

  it('bytes that are not a pickle are a DataError', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'reviews.pickle'), 'this is not a pickle');
    expect(() => loadPeterDataset(dir)).toThrow(/not a readable Python pickle/);
  });

  it('loadExplanationDataset reads a PETER folder (and makes seeded splits when 1/..5/ are absent)', async () => {
    const ds = await loadExplanationDataset(join(FIXTURES, 'peter-p4'));
    expect(ds.records).toHaveLength(40);
    expect(ds.features).toEqual(['cable', 'price', 'sound', 'strings', 'tuner']);
    expect(ds.ratingRange[0]).toBeGreaterThanOrEqual(1);
    expect(ds.ratingRange[1]).toBeLessThanOrEqual(5);
    const bare = tmp();
    cpSync(join(FIXTURES, 'peter-p4', 'reviews.pickle'), join(bare, 'reviews.pickle'));
    const made = await loadExplanationDataset(bare);
    expect(made.splits).toHaveLength(5);
  });
});
