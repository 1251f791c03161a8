import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadXrecExplanations } from './xrec.js';
import { bundledDatasetDir } from './explanation-dataset.js';
import { tmp } from '../test/helpers.js';

describe('loadXrecExplanations (bundled *_tst.jsonl)', () => {
  // Counts from the XRec PROVENANCE: rows, distinct uid, distinct iid.
  it.each([
    ['yelp_tst.jsonl', 2228, 2473],
    ['amazon_tst.jsonl', 1830, 2545],
    ['google_tst.jsonl', 2479, 2531],
  ])('%s has 3,000 rows, %i users, %i items', async (file, users, items) => {
    const d = await loadXrecExplanations(join(bundledDatasetDir('xrec'), file));
    expect(d.rows).toHaveLength(3000);
    expect(new Set(d.rows.map((r) => r.uid)).size).toBe(users);
    expect(new Set(d.rows.map((r) => r.iid)).size).toBe(items);
    expect(d.table.numRows).toBe(3000);
    expect(d.records[0]).toMatchObject({ rating: 1, feature: '', opinion: '', sentiment: 0 });
    expect(d.records[0]?.sentence).toBe(d.rows[0]?.explanation);
  });

  it('a row without explanation is a DataError naming line and field', async () => {
    const dir = tmp();
    const f = join(dir, 'x_tst.jsonl');
    writeFileSync(f, `${JSON.stringify({ uid: 1, iid: 2, title: 't', user_summary: 'u', item_summary: 'i', explanation: 'e' })}\n${JSON.stringify({ uid: 1, iid: 2, title: 't', user_summary: 'u', item_summary: 'i' })}\n`);
    await expect(loadXrecExplanations(f)).rejects.toThrow(/x_tst\.jsonl:2: field 'explanation' must be a string/);
  });
});
