import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledDatasetDir, buildDatasetFromFile } from '@xrec/data';
import { runBenchExplain } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'bench-datasets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function complete(out: string, methods: string[]): void {
  for (const f of ['report.json', 'report.md', 'val-loss.svg', 'metrics.svg']) expect(existsSync(join(out, f))).toBe(true);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { runs: { method: string; testRows: number; generated: string }[] };
  expect(report.runs.map((r) => r.method).sort()).toEqual([...methods].sort());
  for (const r of report.runs) {
    expect(r.testRows).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(out, r.generated), 'utf8').trim().split('\n')).toHaveLength(r.testRows);
  }
}

describe('bench explain on every kind of explanation dataset', () => {
  it('a PETER-format directory (reviews.pickle + index folders)', async () => {
    const out = join(tmp, 'peter');
    await runBenchExplain({ dataset: join(import.meta.dirname, 'fixtures', 'peter-small'), profile: 'smoke', methods: 'retrieval,pepler-d,pepler-mf', out });
    complete(out, ['retrieval', 'pepler-d', 'pepler-mf']);
  });

  it('a directory built by `xrec data build` from Amazon-format reviews', async () => {
    const built = join(tmp, 'built');
    await buildDatasetFromFile(join(bundledDatasetDir('amazon-mi'), 'reviews_Musical_Instruments_5.json.gz'), built, { limit: 2500, name: 'mi-2500' });
    const out = join(tmp, 'built-out');
    await runBenchExplain({ dataset: built, profile: 'smoke', methods: 'retrieval,pepler', out });
    complete(out, ['retrieval', 'pepler']);
  });

  it('an XRec set (no features, implicit ratings)', async () => {
    const out = join(tmp, 'xrec');
    await runBenchExplain({ dataset: 'xrec-yelp', profile: 'smoke', methods: 'retrieval,pepler-d', out });
    complete(out, ['retrieval', 'pepler-d']);
  });
});
