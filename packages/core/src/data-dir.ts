/**
 * The data directory: where datasets that xrec may not redistribute (MovieLens, Insurance) are found or
 * imported to. One setting: the `--data-dir` flag wins over `XREC_DATA_DIR`, which wins over the default
 * `~/.xrec/data`.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const DATA_DIR_ENV = 'XREC_DATA_DIR';

export interface DataDirSource {
  readonly path: string;
  readonly source: 'flag' | 'env' | 'default';
}

/** Resolve the data directory from an explicit flag value, then the environment, then the default. */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): DataDirSource {
  if (flag !== undefined && flag !== '') return { path: resolve(flag), source: 'flag' };
  const fromEnv = env[DATA_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { path: resolve(fromEnv), source: 'env' };
  return { path: join(homedir(), '.xrec', 'data'), source: 'default' };
}

/** Path of dataset `name` inside the data directory, or undefined when that folder does not exist. */
export function findDataset(name: string, dataDir: string = resolveDataDir().path): string | undefined {
  const p = join(dataDir, name);
  return existsSync(p) && statSync(p).isDirectory() ? p : undefined;
}

/**
 * For tests that need a dataset that is not committed: the dataset path, or undefined together with a
 * clear reason to print when skipping.
 */
export function datasetForTest(name: string): { path?: string; skipReason?: string } {
  const dir = resolveDataDir();
  const path = findDataset(name, dir.path);
  if (path) return { path };
  return {
    skipReason: `SKIPPED: dataset '${name}' not found in data directory ${dir.path} (from ${dir.source}); set ${DATA_DIR_ENV} to a folder holding '${name}/' (CI sets it to ../shared/data)`,
  };
}
