/** From an Amazon-format review file to a built explanation dataset directory, atomically. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ConfigError, silentProgress, type Progress } from '@xrec/core';
import { loadAmazonReviews, type AmazonLoadStats } from './amazon.js';
import type { BuilderConfig } from './builder-config.js';
import { buildExplanationDataset, type BuiltExplanationDataset } from './builder.js';
import { writeExplanationDataset } from './explanation-io.js';
import { checkDatasetOut } from './out-dir.js';
import { sha256Hex } from './movielens-fetch.js';

export interface BuildFromFileOptions {
  readonly config?: Partial<BuilderConfig>;
  /** Skip malformed lines instead of failing (counted in `loadStats`). */
  readonly lenient?: boolean;
  /** Dataset name stored in meta.json (default: the file name without extensions). */
  readonly name?: string;
  readonly progress?: Progress;
  /** Use only the first `limit` reviews with text and rating. */
  readonly limit?: number;
}

export interface BuildFromFileResult {
  readonly built: BuiltExplanationDataset;
  readonly loadStats: AmazonLoadStats;
  readonly outDir: string;
  /** Dataset name written to meta.json. */
  readonly name: string;
}

/** Load `reviewsFile`, build, write to `outDir`; nothing is written when any step fails. */
export async function buildDatasetFromFile(reviewsFile: string, outDir: string, opts: BuildFromFileOptions = {}): Promise<BuildFromFileResult> {
  const progress = opts.progress ?? silentProgress;
  checkDatasetOut(outDir, [reviewsFile]);
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit > 0)) throw new ConfigError(`--limit: expected a positive integer, got ${opts.limit}`);
  const { records, stats } = await loadAmazonReviews(reviewsFile, { lenient: opts.lenient ?? false, ...(opts.limit ? { limit: opts.limit } : {}) });
  progress.log(`read ${stats.kept} reviews from ${reviewsFile} (skipped: ${stats.skippedMissingText} without text, ${stats.skippedMissingRating} without rating, ${stats.skippedMalformed} malformed)`);
  const built = buildExplanationDataset(records, opts.config, progress);
  const name = opts.name ?? basename(reviewsFile).replace(/\.(json|jsonl)?(\.gz)?$/i, '');
  await writeExplanationDataset(outDir, built, { name, source: { file: reviewsFile, sha256: sha256Hex(readFileSync(reviewsFile)) } });
  return { built, loadStats: stats, outDir, name };
}
