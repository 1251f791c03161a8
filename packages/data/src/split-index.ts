/**
 * The PETER/PEPLER/NETE split layout: folders `1/`..`5/`, each with `train.index`, `validation.index`,
 * `test.index` — one line of space-separated 0-based row numbers into the record list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, NotFoundError } from '@xrec/core';

/** One train/validation/test partition as row indices. */
export interface Split {
  readonly train: Int32Array;
  readonly validation: Int32Array;
  readonly test: Int32Array;
}

export const SPLIT_PARTS = ['train', 'validation', 'test'] as const;
export type SplitPart = (typeof SPLIT_PARTS)[number];

/** Parse one `.index` file's text; every value must be an integer in [0, rowCount). */
export function parseIndexFile(text: string, rowCount: number, file: string): Int32Array {
  const tokens = text.split(/\s+/).filter((t) => t !== '');
  const out = new Int32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    if (!/^\d+$/.test(t)) throw new DataError(`${file}: entry ${i + 1} is '${t.slice(0, 20)}', expected a non-negative integer row number`);
    const v = Number(t);
    if (v >= rowCount) {
      throw new DataError(`${file}: entry ${i + 1} names row ${v}, past the end of the ${rowCount} records (valid rows 0..${rowCount - 1})`);
    }
    out[i] = v;
  }
  return out;
}

/** Read folders `1/`..`count/` under `dir`. Missing folders or files are NotFoundError. */
export function readSplitFolders(dir: string, rowCount: number, count = 5): Split[] {
  const splits: Split[] = [];
  for (let k = 1; k <= count; k++) {
    const parts = {} as Record<SplitPart, Int32Array>;
    for (const part of SPLIT_PARTS) {
      const file = join(dir, String(k), `${part}.index`);
      if (!existsSync(file)) throw new NotFoundError(`split file not found: ${file} (expected folders 1/..${count}/ with train/validation/test.index)`);
      parts[part] = parseIndexFile(readFileSync(file, 'utf8'), rowCount, file);
    }
    splits.push(parts);
  }
  return splits;
}

/** How many numbered split folders `1/`, `2/`, ... exist under `dir` (stops at the first gap). */
export function countSplitFolders(dir: string): number {
  let k = 0;
  while (existsSync(join(dir, String(k + 1), 'train.index'))) k += 1;
  return k;
}

/** The text of one `.index` file: space-separated numbers on one line. */
export function formatIndexFile(rows: Int32Array): string {
  return `${Array.from(rows).join(' ')}\n`;
}
