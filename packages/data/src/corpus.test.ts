import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError, NotFoundError, Rng } from '@xrec/core';
import { listCorpusSources, mixCorpus, readCorpusDocuments, verifyCorpus } from './corpus.js';
import { createHash } from 'node:crypto';

function makeCorpus(files: Record<string, string[]>, withSums = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'xrec-corpus-'));
  const sums: string[] = [];
  for (const [name, lines] of Object.entries(files)) {
    const gz = gzipSync(Buffer.from(lines.join('\n') + '\n'));
    writeFileSync(join(dir, `${name}.txt.gz`), gz);
    sums.push(`${createHash('sha256').update(gz).digest('hex')}  ${name}.txt.gz`);
  }
  if (withSums) writeFileSync(join(dir, 'SHA256SUMS'), sums.join('\n') + '\n');
  return dir;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('pretrain corpus reader', () => {
  const lines = Array.from({ length: 250 }, (_, i) => `doc ${i}`);

  it('holds out every 100th document of each source, deterministically', async () => {
    const dir = makeCorpus({ a: lines, b: lines.slice(0, 120) });
    const [a, b] = listCorpusSources(dir);
    expect(a!.name).toBe('a');
    const val = await collect(readCorpusDocuments(a!, { split: 'val' }));
    expect(val.map((d) => d.index)).toEqual([0, 100, 200]);
    const train = await collect(readCorpusDocuments(a!, { split: 'train' }));
    expect(train).toHaveLength(247);
    expect(train.every((d) => d.index % 100 !== 0)).toBe(true);
    expect((await collect(readCorpusDocuments(b!, { split: 'val' }))).map((d) => d.text)).toEqual(['doc 0', 'doc 100']);
    await verifyCorpus([a!, b!]);
  });

  it('mixes sources by weight with a seed, and a weight of 0 leaves a source out', async () => {
    const dir = makeCorpus({ a: lines, b: lines.map((l) => `b ${l}`) });
    const src = listCorpusSources(dir);
    const m1 = await collect(mixCorpus(src, { a: 3, b: 1 }, new Rng(5), { limit: 100, split: 'train' }));
    const m2 = await collect(mixCorpus(src, { a: 3, b: 1 }, new Rng(5), { limit: 100, split: 'train' }));
    expect(m1.map((d) => d.text)).toEqual(m2.map((d) => d.text));
    const fromA = m1.filter((d) => d.source === 'a').length;
    expect(fromA).toBeGreaterThan(60);
    expect(fromA).toBeLessThan(90);
    const onlyB = await collect(mixCorpus(src, { a: 0 }, new Rng(1), { limit: 10 }));
    expect(onlyB.every((d) => d.source === 'b')).toBe(true);
    // sources keep their own order inside the mix
    const aIdx = m1.filter((d) => d.source === 'a').map((d) => d.index);
    expect([...aIdx].sort((x, y) => x - y)).toEqual(aIdx);
  });

  it('names the file on bad input', async () => {
    expect(() => listCorpusSources('/nonexistent/corpus')).toThrow(NotFoundError);
    const dir = makeCorpus({ a: lines });
    writeFileSync(join(dir, 'a.txt.gz'), gzipSync(Buffer.from('changed\n')));
    await expect(verifyCorpus(listCorpusSources(dir))).rejects.toThrow(/a\.txt\.gz: SHA-256/);
    const broken = makeCorpus({ c: lines }, false);
    writeFileSync(join(broken, 'c.txt.gz'), gzipSync(Buffer.from(lines.join('\n'))).subarray(0, 40));
    await expect(collect(readCorpusDocuments(listCorpusSources(broken)[0]!))).rejects.toThrow(DataError);
    await expect(collect(readCorpusDocuments(listCorpusSources(broken)[0]!))).rejects.toThrow(/c\.txt\.gz/);
    const missing = makeCorpus({ d: lines });
    writeFileSync(join(missing, 'SHA256SUMS'), `${'0'.repeat(64)}  gone.txt.gz\n`);
    expect(() => listCorpusSources(missing)).toThrow(/gone\.txt\.gz is listed in SHA256SUMS but missing/);
  });

  it('reads the shared corpus when present', async () => {
    const dataDir = process.env.XREC_DATA_DIR;
    if (!dataDir) return;
    const src = listCorpusSources(join(dataDir, 'pretrain-corpus'));
    expect(src.map((s) => s.name)).toContain('aclimdb');
    const first = await collect(readCorpusDocuments(src[0]!, { limit: 3 }));
    expect(first[0]!.split).toBe('val');
    expect(first).toHaveLength(3);
  });
});
