/**
 * `xrec bench explain`: every PEPLER variant (Li, Zhang & Chen, TOIS 2023) plus the no-pre-training ablation
 * and the retrieval baseline on each split and seed of an explanation dataset, scored with @xrec/metrics
 * against the same truncated references, with report.json, report.md, SVG charts and per-run
 * generated.jsonl. Finished runs (result.json with the same fingerprint) are reused on a re-run.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError, Rng, silentProgress, writeFileAtomic, type ExplanationRecord, type Progress } from '@xrec/core';
import { loadExplanationDataset, type ExplanationDataset } from '@xrec/data';
import { explanationMetrics, type ExplanationRow } from '@xrec/metrics';
import { truncateText } from '@xrec/pepler';
import { loadTokenizer, saveTokenizer, trainBpe, type Tokenizer } from '@xrec/tokenizer';
import { TransformerLM, initBackend, resolveTransformerConfig, type TransformerConfig } from '@xrec/transformer';
import { baseUnavailable, findXrecBase, modelFingerprint } from './base-models.js';
import { benchEnvironment } from './environment.js';
import { getExplainMethod, parseMethods } from './methods/registry.js';
import { getProfile, type BenchProfile } from './profiles.js';
import { pretrainLM, type PretrainReport } from './pretrain.js';
import { RunCheckpoint } from './run-checkpoint.js';
import { groupMetrics, repetitionRate } from './quality.js';
import { readInvocations } from './invocations.js';
import { writeReport } from './report.js';
import { splitRows } from './split-data.js';
import { loggingProgress } from './log-progress.js';
import { runInWorkers, workerScript, type WorkerJob } from './worker-pool.js';
import type { BenchExplainResult, Invocation, MethodId, RunJob, RunResult, SplitContext, SplitInfo } from './types.js';

export type { BaseModelId, BenchExplainResult, Invocation, MethodId, RunJob, RunResult, SplitContext, SplitInfo, GroupMetrics } from './types.js';

/** Explanations are cut to this many tokens of the split's BPE tokenizer (PEPLER's `--words 20`). */
export const REFERENCE_WORDS = 20;

/** A path as recorded in reports: relative to the working directory when inside it (no machine-specific prefix). */
export function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
}

export interface BenchExplainOptions {
  /** 'default', an XRec set name, a `xrec data build` directory or a PETER directory. */
  readonly dataset: string;
  readonly dataDir?: string;
  readonly profile: BenchProfile['name'] | BenchProfile;
  /** Seeds per split (default: the profile's). */
  readonly seeds?: number;
  /** Splits run, the first n of the dataset's (default: the profile's, capped at the dataset's count). */
  readonly splits?: number;
  /** Comma-separated method ids (default: all of the profile's). */
  readonly methods?: string;
  readonly out: string;
  readonly progress?: Progress;
  /**
   * Runs trained at once, each in its own process (tfjs-wasm uses one core per process). Default 1 (in
   * process); the CLI uses the number of CPUs, at most 2.
   */
  readonly concurrency?: number;
  /**
   * Data-parallel worker threads of each PEPLER run besides its own (`PeplerTrainOptions.parallel`; default 0;
   * 'auto' decides by model size and backend). Results equal one-thread runs to float tolerance, so finished
   * runs are reused whatever this is; with `concurrency` runs at once, each run uses 1 + workers threads.
   */
  readonly workers?: number | 'auto';
  /** The command line, recorded in the report. */
  readonly command?: string;
}

function gpt2Config(profile: BenchProfile, vocabSize: number): TransformerConfig {
  return resolveTransformerConfig({ arch: 'gpt2', vocabSize, ...profile.lm, nKvHeads: profile.lm.nHeads });
}

/** CPU seconds (user + system) of this process since `start`. */
export function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function featureSetOf(ds: ExplanationDataset): string[] {
  if (ds.features.length > 0) return [...ds.features];
  const s = new Set(ds.records.map((r) => r.feature));
  return s.size > 0 ? [...s] : [''];
}

/**
 * Prepare split `splitNo` (1-based): rows, the BPE tokenizer learnt on the training text only, the cut
 * explanations, and — when `pretrain` — base model (a) pre-trained on the training text. Cached under
 * `<out>/base/split<k>/` and reused when the inputs are the same.
 */
export async function prepareSplit(
  ds: ExplanationDataset,
  splitNo: number,
  profile: BenchProfile,
  out: string,
  pretrain: boolean,
  progress: Progress = silentProgress,
): Promise<SplitContext> {
  const dsKey = { name: ds.name, source: displayPath(ds.source), records: ds.records.length };
  const rows = splitRows(ds.records, ds.splits[splitNo - 1]!, profile);
  const splitDir = join(out, 'base', `split${splitNo}`);
  mkdirSync(splitDir, { recursive: true });
  const trainTexts = rows.train.map((r) => ds.records[r]!.sentence);
  const valTexts = rows.validation.map((r) => ds.records[r]!.sentence);

  // canonical tokenizer: byte-level BPE learnt on the training split's text only
  const tokFile = join(splitDir, 'tokenizer.json');
  const tokKey = JSON.stringify({ dsKey, split: splitNo, vocab: profile.tokenizerVocab, train: rows.train.length, maxTrain: profile.maxTrain });
  const tokMeta = readJson<{ key: string }>(join(splitDir, 'tokenizer.meta.json'));
  let tokenizer: Tokenizer;
  if (tokMeta?.key === tokKey && existsSync(tokFile)) {
    tokenizer = await loadTokenizer(tokFile);
  } else {
    tokenizer = trainBpe(trainTexts, { vocabSize: profile.tokenizerVocab, specialTokens: ['<bos>', '<eos>', '<pad>'] });
    await saveTokenizer(tokenizer, tokFile);
    await writeFileAtomic(join(splitDir, 'tokenizer.meta.json'), JSON.stringify({ key: tokKey }));
  }
  const canonical = new Map<number, string>();
  for (const r of [...rows.train, ...rows.validation, ...rows.test]) canonical.set(r, truncateText(tokenizer, ds.records[r]!.sentence, REFERENCE_WORDS));
  // every model learns and is scored on the same cut explanations
  const trainRecords: ExplanationRecord[] = ds.records.map((rec, r) => (canonical.has(r) ? { ...rec, sentence: canonical.get(r)! } : rec));

  // base model (a): GPT-2-style LM pre-trained on the training split's text
  const lmConfig = gpt2Config(profile, tokenizer.vocabSize);
  const baseDir = join(splitDir, 'lm-pretrained');
  let pretrainInfo: SplitInfo['pretrain'];
  const preKey = JSON.stringify({ tokKey, lm: lmConfig, pretrain: profile.pretrain });
  const meta = readJson<PretrainReport & { key: string }>(join(splitDir, 'pretrain.json'));
  if (meta?.key === preKey && existsSync(join(baseDir, 'config.json'))) {
    pretrainInfo = { ...meta, config: lmConfig, reused: true };
  } else if (pretrain) {
    const lm = TransformerLM.create(lmConfig, new Rng(1000 + splitNo));
    const cpu0 = process.cpuUsage();
    try {
      const trained = await pretrainLM(lm, tokenizer, trainTexts, valTexts, { ...profile.pretrain, seed: 1000 + splitNo }, progress);
      const rep = { ...trained, cpuSeconds: cpuSecondsSince(cpu0) };
      for (const e of rep.epochs) progress.log(`split ${splitNo} pre-train epoch ${e.epoch + 1}: train ${e.trainLoss.toFixed(4)} val ${e.valLoss?.toFixed(4) ?? '-'}`);
      await lm.save(baseDir, { xrec_bench: 'base LM (a): pre-trained on the training split text only' });
      await writeFileAtomic(join(splitDir, 'pretrain.json'), JSON.stringify({ ...rep, key: preKey }, null, 1));
      pretrainInfo = { ...rep, config: lmConfig, reused: false };
    } finally {
      lm.dispose();
    }
  }
  const info: SplitInfo = {
    split: splitNo,
    rows: { train: rows.train.length, validation: rows.validation.length, test: rows.test.length },
    dropped: rows.dropped,
    ...(pretrainInfo ? { pretrain: pretrainInfo } : {}),
  };
  return { ds, splitNo, rows, tokenizer, tokFile, canonical, trainRecords, lmConfig, baseDir, info, dsKey };
}

function runPaths(out: string, method: MethodId, splitNo: number, seed: number): { runRel: string; runDir: string } {
  const runRel = join('runs', method, `split${splitNo}-seed${seed}`);
  return { runRel, runDir: join(out, runRel) };
}

/** Identity of the model a method starts from (the shipped xrec-base can change between checkouts). */
function baseKey(method: MethodId): string {
  const base = getExplainMethod(method).baseModel;
  if (base !== 'xrec-base' && base !== 'random-init') return base;
  const dir = findXrecBase().dir;
  return dir ? `${base}:${modelFingerprint(dir)}` : base;
}

function fingerprintOf(ctx: SplitContext, profile: BenchProfile, job: RunJob): string {
  const r = ctx.rows;
  const config = getExplainMethod(job.method).config(profile, job.seed);
  return JSON.stringify({ dsKey: ctx.dsKey, split: ctx.splitNo, seed: job.seed, method: job.method, base: baseKey(job.method), config, profile, rows: [r.train.length, r.validation.length, r.test.length] });
}

/** The rows of a generated.jsonl when it is complete (one parseable row per test pair), else undefined. */
function completeJsonl(path: string, rows: number): boolean {
  if (!existsSync(path)) return false;
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== rows) return false;
  try {
    for (const l of lines) JSON.parse(l);
  } catch {
    return false;
  }
  return true;
}

/** A finished run with the same fingerprint and a complete generated.jsonl, if any. */
export function finishedRun(ctx: SplitContext, profile: BenchProfile, out: string, job: RunJob): RunResult | undefined {
  const { runDir } = runPaths(out, job.method, ctx.splitNo, job.seed);
  const prev = readJson<RunResult>(join(runDir, 'result.json'));
  if (prev?.fingerprint === fingerprintOf(ctx, profile, job) && typeof prev.repetition === 'number' && completeJsonl(join(out, prev.generated), prev.testRows)) return prev;
  return undefined;
}

/** Train, generate, score and write one run's generated.jsonl, model and result.json. */
export async function runOne(ctx: SplitContext, profile: BenchProfile, out: string, job: RunJob, progress: Progress = silentProgress, workers?: number | 'auto'): Promise<RunResult> {
  const method = getExplainMethod(job.method);
  const { seed: s } = job;
  const splitNo = ctx.splitNo;
  const { runRel, runDir } = runPaths(out, method.id, splitNo, s);
  mkdirSync(runDir, { recursive: true });
  const config = method.config(profile, s);
  const r0 = Date.now();
  const cpu0 = process.cpuUsage();
  const testRecords = ctx.rows.test.map((r) => ({ rec: ctx.ds.records[r]!, reference: ctx.canonical.get(r)! }));
  const modelRel = join(runRel, 'model');
  const ck = await RunCheckpoint.open(runDir, fingerprintOf(ctx, profile, job));
  if (ck.resumable) progress.log(`${runRel}: resuming from its checkpoint (${ck.earlier.segments} earlier segment(s), ${(ck.earlier.wallSeconds / 60).toFixed(1)} min)`);
  const res = await method.run({
    ctx,
    profile,
    seed: s,
    config,
    pairs: testRecords.map((t) => ({ user: t.rec.user, item: t.rec.item })),
    modelDir: join(out, modelRel),
    progress,
    checkpoint: { dir: ck.trainerDir, resume: ck.resumable, onEpoch: () => ck.record((Date.now() - r0) / 1000, cpuSecondsSince(cpu0)) },
    ...(workers === undefined ? {} : { workers }),
  });
  if (res.generated.length !== testRecords.length) {
    throw new ConfigError(`bench: method '${method.id}' returned ${res.generated.length} explanations for ${testRecords.length} test pairs`);
  }
  const predicted = res.predicted;
  const jsonlRows: (ExplanationRow & { user: string; item: string })[] = testRecords.map((t, i) => ({
    user: t.rec.user,
    item: t.rec.item,
    reference: t.reference,
    generated: res.generated[i]!,
    feature: t.rec.feature,
    ...(predicted ? { rating: t.rec.rating, predicted: predicted[i]! } : {}),
  }));
  const [minRating, maxRating] = ctx.ds.ratingRange;
  const metricOptions = { features: featureSetOf(ctx.ds), minRating, maxRating };
  const metrics = explanationMetrics(jsonlRows, metricOptions);
  const groups = groupMetrics(jsonlRows, ctx.rows.train.map((r) => ctx.ds.records[r]!), metricOptions);
  const genRel = join(runRel, 'generated.jsonl');
  await writeFileAtomic(join(out, genRel), jsonlRows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const result: RunResult = {
    method: method.id,
    baseModel: method.baseModel,
    split: splitNo,
    seed: s,
    fingerprint: fingerprintOf(ctx, profile, job),
    config: { ...config },
    metrics,
    repetition: repetitionRate(res.generated),
    groups,
    timings: {
      trainSeconds: res.trainSeconds + ck.earlier.wallSeconds,
      generateSeconds: res.generateSeconds,
      totalSeconds: (Date.now() - r0) / 1000 + ck.earlier.wallSeconds,
      cpuSeconds: cpuSecondsSince(cpu0) + ck.earlier.cpuSeconds,
      ...(ck.earlier.segments > 0 ? { segments: ck.earlier.segments + 1 } : {}),
    },
    tokensPerSecond: res.tokensPerSecond,
    epochs: [...res.epochs],
    stages: [...res.stages],
    testRows: jsonlRows.length,
    generated: genRel,
    ...(res.savedModel ? { model: modelRel } : {}),
    finishedAt: new Date().toISOString(),
  };
  await writeFileAtomic(join(runDir, 'result.json'), JSON.stringify(result, null, 1));
  ck.remove();
  return result;
}

/** Run the benchmark; returns everything written to report.json. */
export async function runBenchExplain(opts: BenchExplainOptions): Promise<BenchExplainResult> {
  const t0 = Date.now();
  const profile = typeof opts.profile === 'string' ? getProfile(opts.profile) : opts.profile;
  const methods = parseMethods(opts.methods, profile);
  const seeds = opts.seeds ?? profile.seeds;
  if (!Number.isInteger(seeds) || seeds < 1) throw new ConfigError(`bench explain: --seeds must be a positive integer, got ${seeds}`);
  if (opts.splits !== undefined && (!Number.isInteger(opts.splits) || opts.splits < 1)) {
    throw new ConfigError(`bench explain: --splits must be a positive integer, got ${opts.splits}`);
  }
  const concurrency = opts.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigError(`bench explain: concurrency must be a positive integer, got ${concurrency}`);
  const progress = opts.progress ?? silentProgress;
  const out = resolve(opts.out);
  mkdirSync(out, { recursive: true });
  await initBackend();
  const ds = await loadExplanationDataset(opts.dataset, opts.dataDir === undefined ? {} : { dataDir: opts.dataDir });
  if (ds.splits.length === 0) throw new ConfigError(`bench explain: dataset '${ds.name}' has no splits`);
  if (opts.splits !== undefined && opts.splits > ds.splits.length) {
    throw new ConfigError(`bench explain: --splits ${opts.splits} asks for more splits than dataset '${ds.name}' has (${ds.splits.length})`);
  }
  const nSplits = opts.splits ?? Math.min(profile.splits, ds.splits.length);
  const features = featureSetOf(ds);
  await writeFileAtomic(join(out, 'features.txt'), features.join('\n') + '\n');

  const skipped: { method: MethodId; reason: string }[] = [];
  const runMethods: MethodId[] = [];
  for (const m of methods) {
    const why = baseUnavailable(getExplainMethod(m).baseModel);
    if (why) skipped.push({ method: m, reason: why });
    else runMethods.push(m);
  }
  const units = (m: MethodId): number => getExplainMethod(m).workUnits;
  const needsSplitLm = (m: MethodId): boolean => getExplainMethod(m).baseModel === 'split-lm';
  const needsPretrain = runMethods.some(needsSplitLm);
  // progress in work units (relative CPU cost measured on the quick profile), so the ETA is meaningful
  const preUnits = needsPretrain ? 4 * profile.pretrain.epochs : 1;
  const runUnits = runMethods.reduce((a, m) => a + units(m), 0) * seeds;
  const task = progress.start(`bench explain ${ds.name} (${profile.name}, work units)`, nSplits * (preUnits + runUnits));
  const inner = loggingProgress(progress);
  const runs: RunResult[] = [];
  const splitInfos: SplitInfo[] = [];

  const parallel = concurrency > 1 && workerScript() !== undefined;
  for (let splitNo = 1; splitNo <= nSplits; splitNo++) {
    // in parallel mode base model (a) is pre-trained in a worker while runs that do not need it start
    let ctx = await prepareSplit(ds, splitNo, profile, out, needsPretrain && !parallel, inner);
    const pretrainPending = needsPretrain && !ctx.info.pretrain;
    if (!pretrainPending) task.tick(preUnits, { split: splitNo, step: 'tokenizer + base LM' });
    const todo: RunJob[] = [];
    for (let s = 1; s <= seeds; s++) {
      for (const method of runMethods) {
        const prev = finishedRun(ctx, profile, out, { method, seed: s });
        if (prev) {
          runs.push(prev);
          progress.log(`reusing ${runPaths(out, method, splitNo, s).runRel}`);
          task.tick(units(method), { split: splitNo, seed: s, method, reused: 1 });
        } else todo.push({ method, seed: s });
      }
    }
    todo.sort((a, b) => getExplainMethod(b.method).cost - getExplainMethod(a.method).cost);
    const done = (r: RunResult): void => {
      runs.push(r);
      task.tick(units(r.method), { split: splitNo, seed: r.seed, method: r.method, bleu4: Number(r.metrics.bleu4.toFixed(2)) });
    };
    if (parallel && (todo.length > 1 || pretrainPending)) {
      const jobs: WorkerJob[] = [
        ...(pretrainPending ? [{ kind: 'pretrain' } as const] : []),
        ...todo.map((job) => ({ kind: 'run', job, needsBase: needsSplitLm(job.method) }) as const),
      ];
      const spec = { dataset: opts.dataset, ...(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir }), profile, out, split: splitNo, ...(opts.workers === undefined ? {} : { workers: opts.workers }) };
      await runInWorkers(jobs, concurrency, spec, progress, done, () => task.tick(preUnits, { split: splitNo, step: 'base LM' }));
      if (pretrainPending) {
        const fresh = await prepareSplit(ds, splitNo, profile, out, false);
        // pre-trained by a worker during this invocation, not reused
        ctx = fresh.info.pretrain ? { ...fresh, info: { ...fresh.info, pretrain: { ...fresh.info.pretrain, reused: false } } } : fresh;
      }
    } else {
      for (const job of todo) done(await runOne(ctx, profile, out, job, inner, opts.workers));
    }
    splitInfos.push(ctx.info);
  }
  task.finish();
  const wallSeconds = (Date.now() - t0) / 1000;
  const computed = runs.filter((x) => Date.parse(x.finishedAt) >= t0).length;
  const invocation: Invocation = {
    startedAt: new Date(t0).toISOString(),
    wallSeconds,
    runsComputed: computed,
    runsReused: runs.length - computed,
    concurrency,
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
    ...(opts.command ? { command: opts.command } : {}),
  };
  const invFile = join(out, 'invocations.jsonl');
  const invocations = [...readInvocations(invFile, progress), invocation];
  await writeFileAtomic(invFile, invocations.map((x) => JSON.stringify(x)).join('\n') + '\n');
  const order = (r: RunResult): number => runMethods.indexOf(r.method) + 1000 * (r.split * 100 + r.seed);
  runs.sort((a, b) => order(a) - order(b));
  const baseDir = findXrecBase().dir;
  let baseModel: BenchExplainResult['baseModel'];
  if (baseDir && runMethods.some((m) => getExplainMethod(m).baseModel === 'xrec-base')) {
    const lm = await TransformerLM.load(baseDir);
    baseModel = { dir: displayPath(baseDir), parameters: lm.numParameters(), fingerprint: modelFingerprint(baseDir) };
    lm.dispose();
  }
  const result: Omit<BenchExplainResult, 'reportFiles'> = {
    ...(baseModel ? { baseModel } : {}),
    dataset: { name: ds.name, source: displayPath(ds.source), records: ds.records.length, features: features.length, ratingRange: ds.ratingRange },
    profile,
    methods: runMethods,
    seeds,
    concurrency,
    splits: splitInfos,
    runs,
    skipped,
    environment: benchEnvironment(),
    wallSeconds,
    invocations,
    ...(opts.command ? { command: opts.command } : {}),
  };
  const reportFiles = await writeReport(out, result);
  return { ...result, reportFiles };
}
