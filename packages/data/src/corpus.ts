/**
 * The pre-training corpus: a folder of `<source>.txt.gz` files (UTF-8, one document per line), listed with
 * their SHA-256 in `SHA256SUMS` (the layout of `$XREC_DATA_DIR/pretrain-corpus`, see its PROVENANCE.md).
 *
 * - {@link listCorpusSources} names the sources (from SHA256SUMS, else every `*.txt.gz` / `*.txt`), checks
 *   that each file exists, and optionally verifies its checksum.
 * - {@link readCorpusDocuments} streams one source without loading it whole and splits it deterministically:
 *   document `i` (0-based line index) is held out for validation when `i % valEvery === 0` (PROVENANCE's
 *   suggested split: every 100th document).
 * - {@link mixCorpus} interleaves several sources by weights with a seeded RNG (sampling without
 *   replacement until every source is exhausted).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError, DataError, NotFoundError, type Rng } from '@xrec/core';
import { readLines } from './text-lines.js';

export interface CorpusSource {
  /** File name without `.txt.gz` / `.txt`, e.g. `aclimdb`. */
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
  /** SHA-256 from SHA256SUMS (undefined when the folder has none). */
  readonly sha256: string | undefined;
}

export interface CorpusDocument {
  readonly source: string;
  /** 0-based line index in the source file (empty lines count). */
  readonly index: number;
  readonly text: string;
  readonly split: 'train' | 'val';
}

export interface CorpusReadOptions {
  /** Which documents to yield (default: both). */
  readonly split?: 'train' | 'val' | 'all';
  /** Hold out documents with `index % valEvery === 0` (default 100). */
  readonly valEvery?: number;
  /** Stop after this many yielded documents. */
  readonly limit?: number;
  /** Longest accepted line in characters (a longer one is a DataError naming file and line). */
  readonly maxLineChars?: number;
}

export const DEFAULT_VAL_EVERY = 100;
const SOURCE_RE = /\.txt(\.gz)?$/;

/** Sources of the corpus folder `dir`, in SHA256SUMS order (else sorted by name). */
export function listCorpusSources(dir: string): CorpusSource[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new NotFoundError(`pretrain corpus: ${dir} is not a directory (set --corpus, or XREC_DATA_DIR to a folder holding pretrain-corpus/)`);
  }
  const sums = join(dir, 'SHA256SUMS');
  let entries: { file: string; sha256: string | undefined }[];
  if (existsSync(sums)) {
    entries = [];
    readFileSync(sums, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
        if (!m) throw new DataError(`pretrain corpus: ${sums}: line ${i + 1} is not '<sha256>  <file>': ${JSON.stringify(line.slice(0, 80))}`);
        if (SOURCE_RE.test(m[2]!)) entries.push({ file: m[2]!, sha256: m[1]! });
      });
  } else {
    entries = readdirSync(dir)
      .filter((f) => SOURCE_RE.test(f))
      .sort()
      .map((file) => ({ file, sha256: undefined }));
  }
  if (entries.length === 0) throw new DataError(`pretrain corpus: ${dir} holds no .txt.gz or .txt files`);
  return entries.map(({ file, sha256 }) => {
    const path = join(dir, file);
    if (!existsSync(path)) throw new NotFoundError(`pretrain corpus: ${path} is listed in SHA256SUMS but missing`);
    return { name: basename(file).replace(SOURCE_RE, ''), path, bytes: statSync(path).size, sha256 };
  });
}

/** SHA-256 of a file, streamed. */
export async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Verify every source against SHA256SUMS; throws a DataError naming the first file that differs. */
export async function verifyCorpus(sources: readonly CorpusSource[]): Promise<void> {
  for (const s of sources) {
    if (!s.sha256) continue;
    const got = await fileSha256(s.path);
    if (got !== s.sha256) throw new DataError(`pretrain corpus: ${s.path}: SHA-256 ${got} differs from SHA256SUMS (${s.sha256}); the file is damaged or was changed`);
  }
}

function checkReadOptions(o: CorpusReadOptions): Required<Omit<CorpusReadOptions, 'limit'>> & { limit: number } {
  const valEvery = o.valEvery ?? DEFAULT_VAL_EVERY;
  if (!Number.isInteger(valEvery) || valEvery < 2) throw new ConfigError(`readCorpusDocuments: valEvery must be an integer >= 2, got ${JSON.stringify(o.valEvery)}`);
  const split = o.split ?? 'all';
  if (split !== 'train' && split !== 'val' && split !== 'all') throw new ConfigError(`readCorpusDocuments: split must be train, val or all, got ${JSON.stringify(o.split)}`);
  const limit = o.limit ?? Infinity;
  if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 0))) throw new ConfigError(`readCorpusDocuments: limit must be a non-negative integer, got ${JSON.stringify(o.limit)}`);
  const maxLineChars = o.maxLineChars ?? 1 << 24;
  return { valEvery, split, limit, maxLineChars };
}

/** Stream the documents of one source (see the file header for the split rule). Empty lines are skipped. */
export async function* readCorpusDocuments(source: CorpusSource, options: CorpusReadOptions = {}): AsyncGenerator<CorpusDocument> {
  const o = checkReadOptions(options);
  let yielded = 0;
  if (o.limit === 0) return;
  for await (const { line, lineNo } of readLines(source.path, `pretrain corpus (${source.name})`)) {
    const index = lineNo - 1;
    if (line.length > o.maxLineChars) throw new DataError(`pretrain corpus: ${source.path}: line ${lineNo} has ${line.length} characters (limit ${o.maxLineChars})`);
    const split = index % o.valEvery === 0 ? 'val' : 'train';
    if (o.split !== 'all' && split !== o.split) continue;
    const text = line.trim();
    if (text === '') continue;
    yield { source: source.name, index, text, split };
    yielded += 1;
    if (yielded >= o.limit) return;
  }
}

/**
 * Interleave the documents of several sources: each next document comes from source s with probability
 * proportional to `weights[s]` among the sources not yet exhausted (weight 0 leaves a source out).
 * Deterministic for a given RNG state.
 */
export async function* mixCorpus(
  sources: readonly CorpusSource[],
  weights: Readonly<Record<string, number>>,
  rng: Rng,
  options: CorpusReadOptions = {},
): AsyncGenerator<CorpusDocument> {
  for (const [name, w] of Object.entries(weights)) {
    if (!sources.some((s) => s.name === name)) throw new ConfigError(`mixCorpus: weight given for unknown source '${name}' (sources: ${sources.map((s) => s.name).join(', ')})`);
    if (!(typeof w === 'number' && Number.isFinite(w) && w >= 0)) throw new ConfigError(`mixCorpus: weight of '${name}' must be a finite number >= 0, got ${JSON.stringify(w)}`);
  }
  const live = sources
    .map((s) => ({ s, w: weights[s.name] ?? 1, it: readCorpusDocuments(s, { ...options, limit: undefined }) }))
    .filter((x) => x.w > 0);
  const limit = options.limit ?? Infinity;
  let yielded = 0;
  try {
    while (live.length > 0 && yielded < limit) {
      const total = live.reduce((a, x) => a + x.w, 0);
      let r = rng.float() * total;
      let k = 0;
      while (k < live.length - 1 && r >= live[k]!.w) r -= live[k++]!.w;
      const next = await live[k]!.it.next();
      if (next.done) {
        live.splice(k, 1);
        continue;
      }
      yield next.value;
      yielded += 1;
    }
  } finally {
    for (const x of live) await x.it.return(undefined);
  }
}
