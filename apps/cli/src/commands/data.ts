/**
 * `xrec data ...`: get datasets into the data directory, build explanation datasets, print statistics.
 *   xrec data import movielens-100k --from DIR|ZIP   copy after SHA-256 (folder) / MD5 (zip) verification
 *   xrec data download movielens-100k [--url URL]    fetch from GroupLens, verify, extract
 *   xrec data build --reviews FILE --out DIR          Amazon-format reviews → explanation dataset (atomic)
 *   xrec data stats DIR|NAME [--json]                 users, items, records, features, words, sparsity
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { ConfigError, resolveDataDir } from '@xrec/core';
import {
  buildDatasetFromFile,
  computeStats,
  downloadMovieLens100K,
  formatStatsTable,
  importMovieLens100K,
  loadExplanationDataset,
  MOVIELENS_100K_NAME,
  type BuilderConfig,
} from '@xrec/data';
import { terminalProgress } from '../progress.js';

const IMPORTABLE = [MOVIELENS_100K_NAME];

function checkDatasetName(name: string): void {
  if (!IMPORTABLE.includes(name)) throw new ConfigError(`xrec data: unknown dataset '${name}' (supported: ${IMPORTABLE.join(', ')})`);
}

function intOption(name: string, min = 1, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(`--${name} must be an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}, got '${v}'`);
    }
    return n;
  };
}

interface BuildOpts {
  reviews: string;
  out: string;
  seed?: number;
  name?: string;
  lenient?: boolean;
  limit?: number;
  minFeatureReviews?: number;
  minPhraseReviews?: number;
  maxFeatures?: number;
  minOpinionCount?: number;
  json?: boolean;
}

export function registerData(program: Command): void {
  const data = program.command('data').description('import, download, build and inspect datasets');

  data
    .command('import')
    .description('copy a dataset you already have into the data directory after verifying its checksums')
    .argument('<dataset>', `dataset name (${IMPORTABLE.join(', ')})`)
    .requiredOption('--from <path>', 'extracted ml-100k folder (or a folder holding ml-100k/), or ml-100k.zip')
    .action(async (dataset: string, opts: { from: string }, cmd: Command) => {
      checkDatasetName(dataset);
      const dataDir = resolveDataDir(cmd.optsWithGlobals<{ dataDir?: string }>().dataDir);
      const r = await importMovieLens100K(opts.from, dataDir.path);
      process.stdout.write(`imported ${dataset}: ${Object.keys(r.files).length} files verified and written to ${r.path}\n`);
    });

  data
    .command('download')
    .description('download a dataset from its publisher into the data directory, verifying its checksum')
    .argument('<dataset>', `dataset name (${IMPORTABLE.join(', ')})`)
    .option('--url <url>', 'download from this URL instead of the publisher (a mirror)')
    .action(async (dataset: string, opts: { url?: string }, cmd: Command) => {
      checkDatasetName(dataset);
      const dataDir = resolveDataDir(cmd.optsWithGlobals<{ dataDir?: string }>().dataDir);
      const r = await downloadMovieLens100K({ dataDir: dataDir.path, ...(opts.url ? { url: opts.url } : {}) });
      process.stdout.write(`downloaded ${dataset}: ${Object.keys(r.files).length} files verified and written to ${r.path}\n`);
    });

  data
    .command('build')
    .description('build a PETER-style explanation dataset (Arrow + PETER layout, 5 splits) from Amazon-format reviews')
    .requiredOption('--reviews <file>', 'Amazon review JSON lines (2014 or 2018 edition), plain or .gz')
    .requiredOption('--out <dir>', 'output directory (written only when the whole build succeeds)')
    .option('--seed <n>', 'seed of the splits (default 42)', intOption('seed', 0, 0xffffffff))
    .option('--name <name>', 'dataset name stored in meta.json')
    .option('--lenient', 'skip malformed lines (counted) instead of failing')
    .option('--limit <n>', 'use only the first N reviews', intOption('limit'))
    .option('--min-feature-reviews <n>', 'reviews a noun needs to become a feature (default 20)', intOption('min-feature-reviews'))
    .option('--min-phrase-reviews <n>', 'reviews a noun phrase needs to become a feature (default 10)', intOption('min-phrase-reviews'))
    .option('--max-features <n>', 'size cap of the feature lexicon (default 400)', intOption('max-features'))
    .option('--min-opinion-count <n>', 'co-occurrences an adjective needs to become an opinion word (default 5)', intOption('min-opinion-count'))
    .option('--json', 'print one JSON object (statistics, counts, splits, output) on stdout; progress stays on stderr')
    .action(async (opts: BuildOpts) => {
      const config: Partial<{ -readonly [K in keyof BuilderConfig]: BuilderConfig[K] }> = {};
      if (opts.seed !== undefined) config.seed = opts.seed;
      if (opts.minFeatureReviews !== undefined) config.minFeatureReviews = opts.minFeatureReviews;
      if (opts.minPhraseReviews !== undefined) config.minPhraseReviews = opts.minPhraseReviews;
      if (opts.maxFeatures !== undefined) config.maxFeatures = opts.maxFeatures;
      if (opts.minOpinionCount !== undefined) config.minOpinionCount = opts.minOpinionCount;
      const { built, loadStats, name } = await buildDatasetFromFile(opts.reviews, opts.out, {
        config,
        lenient: opts.lenient ?? false,
        progress: terminalProgress(),
        ...(opts.name ? { name: opts.name } : {}),
        ...(opts.limit ? { limit: opts.limit } : {}),
      });
      if (loadStats.skippedMalformed > 0) {
        process.stderr.write(`skipped ${loadStats.skippedMalformed} malformed lines, e.g. ${loadStats.malformedExamples.map((m) => `line ${m.lineNo}`).join(', ')}\n`);
      }
      const [tr, va, te] = [built.splits[0]?.train.length, built.splits[0]?.validation.length, built.splits[0]?.test.length];
      if (opts.json) {
        const splits = built.splits.map((sp) => ({ train: sp.train.length, validation: sp.validation.length, test: sp.test.length }));
        process.stdout.write(
          `${JSON.stringify({ name, out: resolve(opts.out), stats: built.stats, counts: built.counts, features: built.featureLexicon.length, opinionWords: built.opinionLexicon.length, splits, skippedMalformed: loadStats.skippedMalformed })}\n`,
        );
        return;
      }
      process.stdout.write(`${formatStatsTable(name, built.stats)}\n`);
      process.stdout.write(`${built.counts.records} records (${built.counts.positive} positive, ${built.counts.negative} negative) from ${built.counts.reviews} reviews; ` +
        `${built.featureLexicon.length} lexicon features, ${built.opinionLexicon.length} opinion words; split 1: ${tr}/${va}/${te}\nwrote ${opts.out}\n`);
    });

  data
    .command('stats')
    .description('print users, items, records, features, mean words per explanation and sparsity of an explanation dataset')
    .argument('<dir>', "a built dataset or PETER-format directory, or 'default' | 'xrec-yelp' | 'xrec-amazon' | 'xrec-google'")
    .option('--json', 'print one JSON object')
    .action(async (dir: string, opts: { json?: boolean }, cmd: Command) => {
      const dataDir = resolveDataDir(cmd.optsWithGlobals<{ dataDir?: string }>().dataDir);
      const ds = await loadExplanationDataset(dir, { dataDir: dataDir.path });
      const stats = computeStats(ds.records, ds.features.length);
      const splits = ds.splits.map((s) => ({ train: s.train.length, validation: s.validation.length, test: s.test.length }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ name: ds.name, source: ds.source, ...stats, ratingRange: ds.ratingRange, splits })}\n`);
        return;
      }
      process.stdout.write(`${formatStatsTable(ds.name, stats)}\n`);
      process.stdout.write(`rating range ${ds.ratingRange[0]}..${ds.ratingRange[1]}; ${splits.length} splits (train/validation/test): ${splits.map((s) => `${s.train}/${s.validation}/${s.test}`).join(', ')}\n`);
    });
}
