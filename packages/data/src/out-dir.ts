/**
 * Up-front checks of a dataset output directory, before any work: `xrec data build --out DIR` replaces DIR
 * as a whole, so it must never be a folder of the user's (or hold the input), a file, or below a file.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { DataError } from '@xrec/core';
import { isBuiltDatasetDir } from './explanation-io.js';

const inside = (child: string, parent: string): boolean => {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && r !== '..');
};

/**
 * Throw a DataError when `out` may not be (re)written by a dataset build reading `inputs`: an existing file; a
 * path below a file; the working directory or a folder above it; a folder holding an input; a non-empty
 * folder that is not an xrec dataset. An existing xrec dataset (meta.json + explanations.arrow) may be replaced.
 */
export function checkDatasetOut(out: string, inputs: readonly string[], flag = '--out'): void {
  const o = resolve(out);
  for (let p = dirname(o); ; p = dirname(p)) {
    if (existsSync(p) && !statSync(p).isDirectory()) throw new DataError(`${flag} ${out}: ${p} is a file, so the dataset folder cannot be created below it`);
    if (dirname(p) === p) break;
  }
  if (inside(process.cwd(), o)) throw new DataError(`${flag} ${out}: is the working directory or a folder above it; the build replaces the whole folder — choose a new folder name`);
  for (const input of inputs) {
    if (inside(resolve(input), o)) throw new DataError(`${flag} ${out}: holds the input ${input}; the build replaces the whole folder and would delete it — choose another folder`);
  }
  if (!existsSync(o)) return;
  if (!statSync(o).isDirectory()) throw new DataError(`${flag} ${out}: is an existing file, not a dataset folder — choose another path`);
  if (readdirSync(o).length > 0 && !isBuiltDatasetDir(o)) {
    throw new DataError(`${flag} ${out}: is a non-empty folder that is not an xrec dataset (no meta.json + explanations.arrow); the build would replace it — choose a new or empty folder`);
  }
}
