/**
 * On-disk layout of a built explanation dataset (format `xrec-explanation-dataset`, version 1):
 *
 * ```
 * explanations.arrow        Arrow IPC file, EXPLANATION_SCHEMA, one row per record
 * reviews.jsonl             PETER layout: {"user","item","rating","template":[feature, opinion, sentence, sentiment]}
 * 1/ .. 5/                  train.index, validation.index, test.index (space-separated 0-based rows)
 * features.txt              the features of the records, most frequent first (the set for FCR)
 * feature-lexicon.tsv       feature \t reviews mentioning it
 * opinion-lexicon.tsv       word \t polarity \t co-occurrences \t source
 * meta.json                 format, version, name, source file + SHA-256, config, counts, stats, ratingRange
 * ```
 * Output is a pure function of the input and config (no timestamps, no absolute paths), so two builds
 * with one seed are byte-identical. Written with writeDirAtomic: nothing appears unless all succeeded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { DataError, NotFoundError, writeDirAtomic, type ExplanationRecord } from '@xrec/core';
import type { BuiltExplanationDataset } from './builder.js';
import { explanationTable } from './peter.js';
import { formatIndexFile, readSplitFolders, SPLIT_PARTS, type Split } from './split-index.js';
import type { DatasetStats } from './stats.js';

export const EXPLANATION_DATASET_FORMAT = 'xrec-explanation-dataset';
export const EXPLANATION_DATASET_VERSION = 1;

export interface ExplanationDatasetMeta {
  readonly format: typeof EXPLANATION_DATASET_FORMAT;
  readonly version: number;
  readonly name: string;
  readonly source: { readonly file: string; readonly sha256: string } | null;
  readonly config: unknown;
  readonly counts: unknown;
  readonly stats: DatasetStats;
  readonly ratingRange: readonly [number, number];
  readonly splitCount: number;
}

/** One PETER-layout JSON line. */
export function peterJsonLine(r: ExplanationRecord): string {
  return JSON.stringify({ user: r.user, item: r.item, rating: r.rating, template: [r.feature, r.opinion, r.sentence, r.sentiment] });
}

/** Write the files of `built` into an existing empty directory (no atomicity; see writeExplanationDataset). */
export async function writeExplanationFiles(dir: string, built: BuiltExplanationDataset, name: string, source: { file: string; sha256: string } | null): Promise<void> {
  await writeFile(join(dir, 'explanations.arrow'), tableToIPC(explanationTable(built.records), 'file'));
  await writeFile(join(dir, 'reviews.jsonl'), built.records.map((r) => `${peterJsonLine(r)}\n`).join(''));
  for (let k = 0; k < built.splits.length; k++) {
    const d = join(dir, String(k + 1));
    await mkdir(d);
    const s = built.splits[k] as Split;
    for (const part of SPLIT_PARTS) await writeFile(join(d, `${part}.index`), formatIndexFile(s[part]));
  }
  await writeFile(join(dir, 'features.txt'), built.features.map((f) => `${f}\n`).join(''));
  await writeFile(join(dir, 'feature-lexicon.tsv'), `feature\treviews\n${built.featureLexicon.map((f) => `${f.feature}\t${f.df}\n`).join('')}`);
  await writeFile(
    join(dir, 'opinion-lexicon.tsv'),
    `word\tpolarity\tcount\tsource\n${built.opinionLexicon.map((o) => `${o.word}\t${o.polarity}\t${o.count}\t${o.source}\n`).join('')}`,
  );
  const meta: ExplanationDatasetMeta = {
    format: EXPLANATION_DATASET_FORMAT,
    version: EXPLANATION_DATASET_VERSION,
    name,
    source: source ? { file: basename(source.file), sha256: source.sha256 } : null,
    config: built.config,
    counts: built.counts,
    stats: built.stats,
    ratingRange: built.ratingRange,
    splitCount: built.splits.length,
  };
  await writeFile(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
}

/** Write `built` to `outDir` atomically (replacing what was there only when everything was written). */
export async function writeExplanationDataset(outDir: string, built: BuiltExplanationDataset, opts: { name: string; source?: { file: string; sha256: string } }): Promise<void> {
  await writeDirAtomic(outDir, (tmp) => writeExplanationFiles(tmp, built, opts.name, opts.source ?? null));
}

/** True when `dir` holds a dataset written by {@link writeExplanationDataset}. */
export function isBuiltDatasetDir(dir: string): boolean {
  return existsSync(join(dir, 'meta.json')) && existsSync(join(dir, 'explanations.arrow'));
}

/** Read and check `meta.json`. */
export function readExplanationMeta(dir: string): ExplanationDatasetMeta {
  const file = join(dir, 'meta.json');
  if (!existsSync(file)) throw new NotFoundError(`${file} not found (not a dataset built by xrec data build)`);
  let meta: ExplanationDatasetMeta;
  try {
    meta = JSON.parse(readFileSync(file, 'utf8')) as ExplanationDatasetMeta;
  } catch (e) {
    throw new DataError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  if (meta.format !== EXPLANATION_DATASET_FORMAT) throw new DataError(`${file}: format is '${String(meta.format)}', expected '${EXPLANATION_DATASET_FORMAT}'`);
  if (meta.version !== EXPLANATION_DATASET_VERSION) throw new DataError(`${file}: version ${String(meta.version)} is not supported (this xrec reads version ${EXPLANATION_DATASET_VERSION})`);
  return meta;
}

/** Records of a built dataset from its Arrow file, checked against the schema's field names. */
export function readExplanationArrow(file: string): ExplanationRecord[] {
  if (!existsSync(file)) throw new NotFoundError(`${file} not found`);
  let table;
  try {
    table = tableFromIPC(readFileSync(file));
  } catch (e) {
    throw new DataError(`${file}: not a readable Arrow IPC file: ${(e as Error).message}`, { cause: e });
  }
  for (const name of ['user', 'item', 'rating', 'feature', 'opinion', 'sentence', 'sentiment']) {
    if (!table.getChild(name)) throw new DataError(`${file}: column '${name}' missing (expected EXPLANATION_SCHEMA)`);
  }
  const cols = ['user', 'item', 'rating', 'feature', 'opinion', 'sentence', 'sentiment'].map((c) => table.getChild(c)?.toArray() as ArrayLike<unknown>);
  const [u, it, ra, fe, op, se, sn] = cols as [ArrayLike<string>, ArrayLike<string>, ArrayLike<number>, ArrayLike<string>, ArrayLike<string>, ArrayLike<string>, ArrayLike<number>];
  const out: ExplanationRecord[] = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    out[i] = { user: u[i] as string, item: it[i] as string, rating: ra[i] as number, feature: fe[i] as string, opinion: op[i] as string, sentence: se[i] as string, sentiment: sn[i] as number };
  }
  return out;
}

/** Everything of a built dataset directory. */
export function readBuiltDataset(dir: string): { meta: ExplanationDatasetMeta; records: ExplanationRecord[]; splits: Split[]; features: string[] } {
  const meta = readExplanationMeta(dir);
  const records = readExplanationArrow(join(dir, 'explanations.arrow'));
  const splits = readSplitFolders(dir, records.length, meta.splitCount);
  const featFile = join(dir, 'features.txt');
  const features = existsSync(featFile) ? readFileSync(featFile, 'utf8').split('\n').filter((l) => l !== '') : [];
  return { meta, records, splits, features };
}
