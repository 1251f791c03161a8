import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { NotFoundError } from '@xrec/core';
import { buildDatasetFromFile } from './build-file.js';
import { bundledDatasetDir, loadExplanationDataset } from './explanation-dataset.js';
import { coverageViolations } from './splits.js';
import { BUNDLED_REVIEWS, snapshotDir, tmp } from '../test/helpers.js';

describe('loadExplanationDataset', () => {
  it("'default' is the bundled Amazon Musical Instruments dataset: >= 5,000 records, 5 covering 8:1:1 splits", async () => {
    const ds = await loadExplanationDataset('default');
    expect(ds.name).toBe('amazon-musical-instruments-5core');
    expect(ds.source).toBe(bundledDatasetDir('default'));
    expect(ds.records.length).toBeGreaterThanOrEqual(5000);
    expect(ds.ratingRange).toEqual([1, 5]);
    expect(ds.features.length).toBeGreaterThan(100);
    expect(new Set(ds.records.map((r) => r.feature))).toEqual(new Set(ds.features));
    expect(ds.splits).toHaveLength(5);
    const users = ds.records.map((r) => r.user);
    const items = ds.records.map((r) => r.item);
    for (const s of ds.splits) {
      expect(s.train).toBeInstanceOf(Int32Array);
      expect(s.train.length + s.validation.length + s.test.length).toBe(ds.records.length);
      expect(Math.abs(s.validation.length - 0.1 * ds.records.length)).toBeLessThanOrEqual(1);
      expect(coverageViolations(users, items, s)).toEqual({ users: [], items: [] });
    }
  });

  it('the committed default is exactly what `build:default` produces from the committed reviews', async () => {
    const out = join(tmp(), 'default');
    await buildDatasetFromFile(BUNDLED_REVIEWS, out, { name: 'amazon-musical-instruments-5core' });
    const fresh = snapshotDir(out);
    const committed = snapshotDir(bundledDatasetDir('default'));
    expect([...committed.keys()]).toEqual([...fresh.keys()]);
    for (const [k, v] of fresh) expect(v.equals(committed.get(k) as Buffer), `${k} differs: run pnpm --filter @xrec/data run build:default`).toBe(true);
  });

  it.each(['xrec-yelp', 'xrec-amazon', 'xrec-google'])('%s: 3,000 records, no features, 5 seeded splits with coverage', async (name) => {
    const ds = await loadExplanationDataset(name);
    expect(ds.records).toHaveLength(3000);
    expect(ds.features).toEqual([]);
    expect(ds.ratingRange).toEqual([1, 1]);
    expect(ds.records.every((r) => r.feature === '' && r.sentence.length > 0)).toBe(true);
    const users = ds.records.map((r) => r.user);
    const items = ds.records.map((r) => r.item);
    expect(ds.splits).toHaveLength(5);
    for (const s of ds.splits) {
      expect(s.train.length + s.validation.length + s.test.length).toBe(3000);
      expect(coverageViolations(users, items, s)).toEqual({ users: [], items: [] });
    }
    const again = await loadExplanationDataset(name);
    expect(again.splits).toEqual(ds.splits);
  });

  it('an unknown name is a NotFoundError listing what it accepts', async () => {
    const err = await loadExplanationDataset('no-such-dataset', { dataDir: tmp() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toMatch(/default, xrec-yelp, xrec-amazon, xrec-google/);
    expect(() => bundledDatasetDir('nope')).toThrow(NotFoundError);
  });
});
