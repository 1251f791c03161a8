import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '@xrec/core';
import { checkDatasetOut } from './out-dir.js';
import { buildDatasetFromFile } from './build-file.js';

describe('dataset --out checks (before any work; no user file is ever replaced)', () => {
  const root = mkdtempSync(join(tmpdir(), 'xrec-out-'));
  const input = join(root, 'in', 'reviews.json');
  mkdirSync(join(root, 'in'));
  writeFileSync(input, '{"reviewerID":"u","asin":"i","overall":5,"reviewText":"great sound"}\n');

  it('refuses a non-empty folder of the user, a file, a path below a file, the input folder and the cwd', () => {
    const mine = join(root, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'thesis.txt'), 'precious');
    expect(() => checkDatasetOut(mine, [input])).toThrow(/non-empty folder that is not an xrec dataset/);
    expect(() => checkDatasetOut(input, [input])).toThrow(DataError);
    expect(() => checkDatasetOut(join(input, 'sub'), [input])).toThrow(/is a file, so the dataset folder cannot be created below it/);
    expect(() => checkDatasetOut(join(root, 'in'), [input])).toThrow(/holds the input/);
    expect(() => checkDatasetOut(root, [input])).toThrow(/holds the input/);
    expect(() => checkDatasetOut('.', [input])).toThrow(/working directory/);
    expect(() => checkDatasetOut(join(root, 'new'), [input])).not.toThrow();
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(() => checkDatasetOut(empty, [input])).not.toThrow();
  });

  it('a failing build leaves the user folder and the input untouched', async () => {
    const mine = join(root, 'mine2');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.md'), 'keep me');
    await expect(buildDatasetFromFile(input, mine)).rejects.toThrow(DataError);
    expect(readFileSync(join(mine, 'notes.md'), 'utf8')).toBe('keep me');
    await expect(buildDatasetFromFile(input, join(root, 'in'))).rejects.toThrow(/holds the input/);
    expect(readFileSync(input, 'utf8')).toContain('great sound');
    await expect(buildDatasetFromFile(input, join(root, 'x'), { limit: -5 })).rejects.toThrow(/--limit/);
  });
});
