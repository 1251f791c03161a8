import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError } from '@xrec/core';
import { readLines } from './text-lines.js';

async function collect(it: AsyncIterable<{ line: string; lineNo: number }>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of it) out.push(x.line);
  return out;
}

describe('readLines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xrec-lines-'));
  it('reads plain and gzip files line by line', async () => {
    writeFileSync(join(dir, 'a.txt'), 'one\ntwo\n');
    writeFileSync(join(dir, 'a.gz'), gzipSync(Buffer.from('one\ntwo')));
    expect(await collect(readLines(join(dir, 'a.txt')))).toEqual(['one', 'two']);
    expect(await collect(readLines(join(dir, 'a.gz')))).toEqual(['one', 'two']);
  });
  it('a line over the limit is a DataError naming the file and line, not a RangeError', async () => {
    writeFileSync(join(dir, 'long.txt'), `short\n${'x'.repeat(50)}\nshort\n`);
    const p = collect(readLines(join(dir, 'long.txt'), 'reviews', { maxLineBytes: 20 }));
    await expect(p).rejects.toThrow(DataError);
    await expect(collect(readLines(join(dir, 'long.txt'), 'reviews', { maxLineBytes: 20 }))).rejects.toThrow(/long\.txt: line 2 is longer than 20 bytes/);
    writeFileSync(join(dir, 'long.gz'), gzipSync(Buffer.from(`${'y'.repeat(30)}\n`)));
    await expect(collect(readLines(join(dir, 'long.gz'), 'reviews', { maxLineBytes: 20 }))).rejects.toThrow(/line 1 is longer/);
  });
});
