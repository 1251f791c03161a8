/**
 * The one typed entry for explanation datasets used by PEPLER and the bench app:
 * `loadExplanationDataset('default' | 'xrec-yelp' | 'xrec-amazon' | 'xrec-google' | <built dir> | <PETER dir>)`.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError, resolveDataDir, type ExplanationRecord } from '@xrec/core';
import { isBuiltDatasetDir, readBuiltDataset } from './explanation-io.js';
import { loadPeterDataset } from './peter.js';
import { makeSplits } from './splits.js';
import { XREC_IMPLICIT_RATING, loadXrecExplanations } from './xrec.js';

export interface ExplanationDataset {
  readonly name: string;
  readonly records: readonly ExplanationRecord[];
  /** Row indices into `records`; 5 for built and bundled data. */
  readonly splits: readonly { train: Int32Array; validation: Int32Array; test: Int32Array }[];
  /** The dataset's feature set (for feature coverage ratio); empty for XRec sets, which have none. */
  readonly features: readonly string[];
  readonly ratingRange: readonly [number, number];
  /** Path it came from. */
  readonly source: string;
}

/** Seed of the splits made for datasets that ship none (XRec sets, PETER dirs without 1/..5/). */
export const DEFAULT_SPLIT_SEED = 42;

const XREC_SETS: Readonly<Record<string, string>> = { 'xrec-yelp': 'yelp_tst.jsonl', 'xrec-amazon': 'amazon_tst.jsonl', 'xrec-google': 'google_tst.jsonl' };

/** Names `loadExplanationDataset` accepts besides directories. */
export const BUNDLED_EXPLANATION_DATASETS = ['default', ...Object.keys(XREC_SETS)] as const;

const DATASETS_ROOT = fileURLToPath(new URL('../datasets/', import.meta.url));

/**
 * Folder of a dataset shipped in the package: 'default' → the built Amazon Musical Instruments dataset
 * (`datasets/amazon-mi/built`); 'amazon-mi' → its folder with the raw reviews and PROVENANCE;
 * 'xrec' or 'xrec-yelp' | 'xrec-amazon' | 'xrec-google' → `datasets/xrec` (the `*_tst.jsonl` files).
 */
export function bundledDatasetDir(name: string): string {
  if (name === 'default') return join(DATASETS_ROOT, 'amazon-mi', 'built');
  if (name === 'amazon-mi') return join(DATASETS_ROOT, 'amazon-mi');
  if (name === 'xrec' || name in XREC_SETS) return join(DATASETS_ROOT, 'xrec');
  throw new NotFoundError(`bundledDatasetDir: no bundled dataset '${name}' (bundled: default, amazon-mi, xrec, ${Object.keys(XREC_SETS).join(', ')})`);
}

function ratingRangeOf(records: readonly ExplanationRecord[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of records) {
    if (r.rating < lo) lo = r.rating;
    if (r.rating > hi) hi = r.rating;
  }
  return records.length ? [lo, hi] : [0, 0];
}

function distinctFeatures(records: readonly ExplanationRecord[]): string[] {
  const freq = new Map<string, number>();
  for (const r of records) if (r.feature !== '') freq.set(r.feature, (freq.get(r.feature) ?? 0) + 1);
  return [...freq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([f]) => f);
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** Load a directory that is either built by `xrec data build` or in the PETER layout. */
async function loadDir(dir: string, name: string): Promise<ExplanationDataset | undefined> {
  if (isBuiltDatasetDir(dir)) {
    const b = readBuiltDataset(dir);
    return { name: b.meta.name, records: b.records, splits: b.splits, features: b.features, ratingRange: b.meta.ratingRange, source: dir };
  }
  if (existsSync(join(dir, 'reviews.pickle'))) {
    const p = loadPeterDataset(dir);
    const splits = p.splits.length > 0 ? p.splits : makeSplits(p.records.map((r) => r.user), p.records.map((r) => r.item), DEFAULT_SPLIT_SEED);
    return { name, records: p.records, splits, features: distinctFeatures(p.records), ratingRange: ratingRangeOf(p.records), source: dir };
  }
  return undefined;
}

/**
 * Load an explanation dataset by name or directory:
 * - 'default': the bundled Amazon Musical Instruments 5-core dataset built by this package;
 * - 'xrec-yelp' | 'xrec-amazon' | 'xrec-google': the bundled XRec test sets (3,000 records each, LLM-written
 *   explanations; no feature (''), rating 1, 5 seeded 8:1:1 splits with the coverage rule — most users and
 *   items occur once there, so coverage keeps most rows in train);
 * - a directory built by `xrec data build`, or a PETER-format directory with reviews.pickle;
 * - a name of such a directory inside the data directory (`opts.dataDir`, else XREC_DATA_DIR / default).
 */
export async function loadExplanationDataset(nameOrDir: string, opts: { dataDir?: string } = {}): Promise<ExplanationDataset> {
  if (nameOrDir === 'default') {
    const dir = bundledDatasetDir('default');
    const d = await loadDir(dir, 'default');
    if (!d) throw new NotFoundError(`loadExplanationDataset: the bundled default dataset is missing at ${dir} (run pnpm --filter @xrec/data run build:default)`);
    return d;
  }
  const xrecFile = XREC_SETS[nameOrDir];
  if (xrecFile !== undefined) {
    const file = join(bundledDatasetDir(nameOrDir), xrecFile);
    const x = await loadXrecExplanations(file);
    const splits = makeSplits(x.records.map((r) => r.user), x.records.map((r) => r.item), DEFAULT_SPLIT_SEED);
    return { name: nameOrDir, records: x.records, splits, features: [], ratingRange: [XREC_IMPLICIT_RATING, XREC_IMPLICIT_RATING], source: file };
  }
  const candidates = [nameOrDir];
  if (!nameOrDir.includes('/')) candidates.push(join(opts.dataDir ?? resolveDataDir().path, nameOrDir));
  for (const dir of candidates) {
    if (!isDir(dir)) continue;
    const d = await loadDir(dir, nameOrDir);
    if (d) return d;
  }
  throw new NotFoundError(
    `loadExplanationDataset: '${nameOrDir}' is not a bundled dataset (${BUNDLED_EXPLANATION_DATASETS.join(', ')}) nor a directory holding ` +
      `meta.json + explanations.arrow (xrec data build) or reviews.pickle (PETER layout); looked at ${candidates.join(', ')}`,
  );
}
