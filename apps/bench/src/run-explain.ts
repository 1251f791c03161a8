/**
 * `xrec bench explain`: every PEPLER variant (Li, Zhang & Chen, TOIS 2023) plus the no-pre-training ablation
 * and the retrieval baseline on each split and seed of an explanation dataset, scored with @xrec/metrics
 * against the same truncated references, with report.json, report.md, SVG charts and per-run
 * generated.jsonl. Finished runs (result.json with the same fingerprint) are reused on a re-run.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError, NotFoundError, Rng, silentProgress, writeFileAtomic, type ExplanationRecord, type Progress } from '@xrec/core';
import { loadExplanationDataset, type ExplanationDataset } from '@xrec/data';
import { explanationMetrics, type ExplanationMetrics, type ExplanationRow } from '@xrec/metrics';
import { Pepler, truncateText, type PeplerConfig, type PeplerEpochLog, type PeplerStageReport } from '@xrec/pepler';
import { loadTokenizer, saveTokenizer, trainBpe, type Tokenizer } from '@xrec/tokenizer';
import { TransformerLM, initBackend, loadLlama2c, resolveTransformerConfig, type TransformerConfig } from '@xrec/transformer';
import { benchEnvironment, type BenchEnvironment } from './environment.js';
import { getProfile, parseMethods, type BenchProfile, type MethodId } from './profiles.js';
import { pretrainLM, type PretrainReport } from './pretrain.js';
import { writeReport } from './report.js';
import { RetrievalBaseline } from './retrieval.js';
import { splitRows, type SplitRows } from './split-data.js';
import { findStories } from './stories.js';
import { loggingProgress } from './log-progress.js';
import { runInWorkers, workerScript, type WorkerJob } from './worker-pool.js';

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
  /** Comma-separated method ids (default: all of the profile's). */
  readonly methods?: string;
  readonly out: string;
  readonly progress?: Progress;
  /**
   * Runs trained at once, each in its own process (tfjs-wasm uses one core per process). Default 1 (in
   * process); the CLI uses the number of CPUs, at most 2.
   */
  readonly concurrency?: number;
  /** The command line, recorded in the report. */
  readonly command?: string;
}

export type BaseModelId = 'none' | 'gpt2-pretrained' | 'stories260K' | 'gpt2-random';

export interface RunResult {
  readonly method: MethodId;
  readonly baseModel: BaseModelId;
  readonly split: number;
  readonly seed: number;
  readonly fingerprint: string;
  readonly config: Record<string, unknown>;
  readonly metrics: ExplanationMetrics;
  /** Wall seconds, and CPU seconds of the process (user + system): the time it needs on an idle core. */
  readonly timings: { readonly trainSeconds: number; readonly generateSeconds: number; readonly totalSeconds: number; readonly cpuSeconds: number };
  /** Training tokens per second (scored tokens); 0 for the retrieval baseline. */
  readonly tokensPerSecond: number;
  readonly epochs: readonly PeplerEpochLog[];
  readonly stages: readonly PeplerStageReport[];
  readonly testRows: number;
  /** Path of generated.jsonl relative to the output directory. */
  readonly generated: string;
  readonly model?: string;
  readonly finishedAt: string;
}

/** One `bench explain` call on an output directory: when, how long, how many runs it computed or reused. */
export interface Invocation {
  readonly startedAt: string;
  readonly wallSeconds: number;
  readonly runsComputed: number;
  readonly runsReused: number;
  readonly concurrency: number;
  readonly command?: string;
}

export interface SplitInfo {
  readonly split: number;
  readonly rows: { readonly train: number; readonly validation: number; readonly test: number };
  readonly dropped: SplitRows['dropped'];
  readonly pretrain?: PretrainReport & { readonly config: TransformerConfig; readonly reused: boolean; readonly cpuSeconds?: number };
}

export interface BenchExplainResult {
  readonly dataset: { readonly name: string; readonly source: string; readonly records: number; readonly features: number; readonly ratingRange: readonly [number, number] };
  readonly profile: BenchProfile;
  readonly methods: MethodId[];
  readonly seeds: number;
  readonly concurrency: number;
  readonly splits: SplitInfo[];
  readonly runs: RunResult[];
  readonly skipped: { readonly method: MethodId; readonly reason: string }[];
  readonly environment: BenchEnvironment;
  readonly wallSeconds: number;
  /** Every invocation on this output directory (from invocations.jsonl), this one last. */
  readonly invocations: readonly Invocation[];
  readonly command?: string;
  readonly reportFiles: string[];
}

const METHOD_BASE: Readonly<Record<MethodId, BaseModelId>> = {
  retrieval: 'none',
  'pepler-d': 'gpt2-pretrained',
  pepler: 'gpt2-pretrained',
  'pepler-lora': 'gpt2-pretrained',
  'pepler-mf': 'gpt2-pretrained',
  'pepler-mlp': 'gpt2-pretrained',
  'pepler-stories': 'stories260K',
  'pepler-nopretrain': 'gpt2-random',
};

/** The PEPLER config a method runs with under a profile. */
export function methodConfig(method: MethodId, profile: BenchProfile, seed: number): Partial<PeplerConfig> {
  const common: Partial<PeplerConfig> = {
    batchSize: profile.pepler.batchSize,
    epochs: profile.pepler.epochs,
    stage1Epochs: profile.pepler.stage1Epochs,
    patience: profile.pepler.patience,
    maxBatchesPerEpoch: profile.pepler.maxBatchesPerEpoch,
    seed,
  };
  switch (method) {
    case 'pepler-d':
      return { ...common, variant: 'discrete', promptTokens: profile.pepler.promptTokens, ...(profile.pepler.discreteLr > 0 ? { lr: profile.pepler.discreteLr } : {}) };
    case 'pepler':
    case 'pepler-nopretrain':
      return { ...common, variant: 'continuous' };
    case 'pepler-lora':
      return { ...common, variant: 'continuous', stage2: 'lora' };
    case 'pepler-mf':
      return { ...common, variant: 'mf' };
    case 'pepler-mlp':
      return { ...common, variant: 'mlp' };
    case 'pepler-stories':
      return { ...common, variant: 'continuous', words: profile.stories.words, maxNewTokens: profile.stories.words, maxBatchesPerEpoch: profile.stories.maxBatchesPerEpoch };
    case 'retrieval':
      return {};
  }
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

/** Everything a run of one split needs, prepared once (and cached on disk) by {@link prepareSplit}. */
export interface SplitContext {
  readonly ds: ExplanationDataset;
  readonly splitNo: number;
  readonly rows: SplitRows;
  readonly tokenizer: Tokenizer;
  readonly tokFile: string;
  /** Row -> explanation cut to 20 tokens of the split's BPE tokenizer. */
  readonly canonical: ReadonlyMap<number, string>;
  /** The records with train/validation/test sentences replaced by their cut text. */
  readonly trainRecords: readonly ExplanationRecord[];
  readonly lmConfig: TransformerConfig;
  readonly baseDir: string;
  readonly info: SplitInfo;
  readonly dsKey: { readonly name: string; readonly source: string; readonly records: number };
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

/** One (method, split, seed) run. */
export interface RunJob {
  readonly method: MethodId;
  readonly seed: number;
}

function runPaths(out: string, method: MethodId, splitNo: number, seed: number): { runRel: string; runDir: string } {
  const runRel = join('runs', method, `split${splitNo}-seed${seed}`);
  return { runRel, runDir: join(out, runRel) };
}

function fingerprintOf(ctx: SplitContext, profile: BenchProfile, job: RunJob): string {
  const r = ctx.rows;
  return JSON.stringify({ dsKey: ctx.dsKey, split: ctx.splitNo, seed: job.seed, method: job.method, profile, rows: [r.train.length, r.validation.length, r.test.length] });
}

/** A finished run with the same fingerprint, if any. */
export function finishedRun(ctx: SplitContext, profile: BenchProfile, out: string, job: RunJob): RunResult | undefined {
  const { runDir } = runPaths(out, job.method, ctx.splitNo, job.seed);
  const prev = readJson<RunResult>(join(runDir, 'result.json'));
  if (prev?.fingerprint === fingerprintOf(ctx, profile, job) && existsSync(join(out, prev.generated))) return prev;
  return undefined;
}

/** Train (unless retrieval), generate, score and write one run's generated.jsonl, model and result.json. */
export async function runOne(ctx: SplitContext, profile: BenchProfile, out: string, job: RunJob, progress: Progress = silentProgress): Promise<RunResult> {
  const { method, seed: s } = job;
  const splitNo = ctx.splitNo;
  const { runRel, runDir } = runPaths(out, method, splitNo, s);
  mkdirSync(runDir, { recursive: true });
  const config = methodConfig(method, profile, s);
  const r0 = Date.now();
  const cpu0 = process.cpuUsage();
  let trainSeconds = 0;
  let tokensPerSecond = 0;
  let epochs: PeplerEpochLog[] = [];
  let stages: PeplerStageReport[] = [];
  let generated: string[];
  let predicted: number[] | undefined;
  let modelRel: string | undefined;
  let generateSeconds: number;
  const testRecords = ctx.rows.test.map((r) => ({ rec: ctx.ds.records[r]!, reference: ctx.canonical.get(r)! }));
  if (method === 'retrieval') {
    const ret = new RetrievalBaseline(ctx.rows.train.map((r) => ctx.trainRecords[r]!));
    const g0 = Date.now();
    generated = testRecords.map((t) => ret.explain(t.rec.user, t.rec.item));
    generateSeconds = (Date.now() - g0) / 1000;
  } else {
    const base = METHOD_BASE[method];
    let lm: TransformerLM;
    let tok: Tokenizer = ctx.tokenizer;
    let tokFileUsed = ctx.tokFile;
    if (base === 'gpt2-pretrained') lm = await TransformerLM.load(ctx.baseDir);
    else if (base === 'gpt2-random') lm = TransformerLM.create(ctx.lmConfig, new Rng(2000 + 100 * splitNo + s));
    else {
      const stories = findStories().files;
      if (!stories) throw new NotFoundError('bench: stories260K.bin/tok512.bin not found (set XREC_STORIES_DIR)');
      lm = await loadLlama2c(stories.model);
      tok = await loadTokenizer(stories.tokenizer);
      tokFileUsed = stories.tokenizer;
    }
    const { model, report } = await Pepler.train({
      lm,
      tokenizer: tok,
      tokenizerFile: tokFileUsed,
      data: { records: ctx.trainRecords, train: ctx.rows.train, validation: ctx.rows.validation },
      config,
      label: method,
      progress,
      onEpochEnd: (e) => progress.log(`split ${splitNo} seed ${s} ${method} ${e.stage} epoch ${e.epoch + 1}: train ${e.trainLoss.toFixed(4)} val ${e.valLoss?.toFixed(4) ?? '-'}`),
    });
    try {
      trainSeconds = report.seconds;
      tokensPerSecond = report.tokensPerSecond;
      epochs = report.epochs;
      stages = report.stages;
      const g0 = Date.now();
      const pairs = testRecords.map((t) => ({ user: t.rec.user, item: t.rec.item }));
      generated = await model.explainBatch(pairs, { batchSize: 256 });
      if (model.hasRatingHead) predicted = model.predictRatingBatch(pairs);
      generateSeconds = (Date.now() - g0) / 1000;
      modelRel = join(runRel, 'model');
      await model.save(join(out, modelRel));
    } finally {
      model.dispose();
    }
  }
  const jsonlRows: (ExplanationRow & { user: string; item: string })[] = testRecords.map((t, i) => ({
    user: t.rec.user,
    item: t.rec.item,
    reference: t.reference,
    generated: generated[i]!,
    feature: t.rec.feature,
    ...(predicted ? { rating: t.rec.rating, predicted: predicted[i]! } : {}),
  }));
  const [minRating, maxRating] = ctx.ds.ratingRange;
  const metrics = explanationMetrics(jsonlRows, { features: featureSetOf(ctx.ds), minRating, maxRating });
  const genRel = join(runRel, 'generated.jsonl');
  await writeFileAtomic(join(out, genRel), jsonlRows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const result: RunResult = {
    method,
    baseModel: METHOD_BASE[method],
    split: splitNo,
    seed: s,
    fingerprint: fingerprintOf(ctx, profile, job),
    config: { ...config },
    metrics,
    timings: { trainSeconds, generateSeconds, totalSeconds: (Date.now() - r0) / 1000, cpuSeconds: cpuSecondsSince(cpu0) },
    tokensPerSecond,
    epochs,
    stages,
    testRows: jsonlRows.length,
    generated: genRel,
    ...(modelRel ? { model: modelRel } : {}),
    finishedAt: new Date().toISOString(),
  };
  await writeFileAtomic(join(runDir, 'result.json'), JSON.stringify(result, null, 1));
  return result;
}

/** Rough relative cost of a method (longest first keeps two workers busy to the end). */
const METHOD_COST: Readonly<Record<MethodId, number>> = {
  'pepler-stories': 6,
  'pepler-d': 5,
  'pepler-lora': 4,
  pepler: 4,
  'pepler-nopretrain': 4,
  'pepler-mlp': 3,
  'pepler-mf': 3,
  retrieval: 0,
};

/** Relative cost of a run (≈ CPU seconds / 10 on the quick profile): the units of the progress bar. */
const WORK_UNITS: Readonly<Record<MethodId, number>> = {
  retrieval: 1,
  'pepler-d': 8,
  pepler: 10,
  'pepler-lora': 10,
  'pepler-mf': 7,
  'pepler-mlp': 8,
  'pepler-stories': 19,
  'pepler-nopretrain': 10,
};

/** Run the benchmark; returns everything written to report.json. */
export async function runBenchExplain(opts: BenchExplainOptions): Promise<BenchExplainResult> {
  const t0 = Date.now();
  const profile = typeof opts.profile === 'string' ? getProfile(opts.profile) : opts.profile;
  const methods = parseMethods(opts.methods, profile);
  const seeds = opts.seeds ?? profile.seeds;
  if (!Number.isInteger(seeds) || seeds < 1) throw new ConfigError(`bench explain: --seeds must be a positive integer, got ${seeds}`);
  const concurrency = opts.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigError(`bench explain: concurrency must be a positive integer, got ${concurrency}`);
  const progress = opts.progress ?? silentProgress;
  const out = resolve(opts.out);
  mkdirSync(out, { recursive: true });
  await initBackend();
  const ds = await loadExplanationDataset(opts.dataset, opts.dataDir === undefined ? {} : { dataDir: opts.dataDir });
  const nSplits = Math.min(profile.splits, ds.splits.length);
  if (nSplits === 0) throw new ConfigError(`bench explain: dataset '${ds.name}' has no splits`);
  const features = featureSetOf(ds);
  await writeFileAtomic(join(out, 'features.txt'), features.join('\n') + '\n');

  const stories = findStories();
  const skipped: { method: MethodId; reason: string }[] = [];
  let runMethods = methods;
  if (methods.includes('pepler-stories') && !stories.files) {
    skipped.push({ method: 'pepler-stories', reason: `stories260K.bin/tok512.bin not found (looked in ${stories.looked.join(', ')}; set XREC_STORIES_DIR)` });
    runMethods = methods.filter((m) => m !== 'pepler-stories');
  }
  const needsPretrain = runMethods.some((m) => METHOD_BASE[m] === 'gpt2-pretrained');
  // progress in work units (relative CPU cost measured on the quick profile), so the ETA is meaningful
  const preUnits = needsPretrain ? 4 * profile.pretrain.epochs : 1;
  const runUnits = runMethods.reduce((a, m) => a + WORK_UNITS[m], 0) * seeds;
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
          task.tick(WORK_UNITS[method], { split: splitNo, seed: s, method, reused: 1 });
        } else todo.push({ method, seed: s });
      }
    }
    todo.sort((a, b) => METHOD_COST[b.method] - METHOD_COST[a.method]);
    const done = (r: RunResult): void => {
      runs.push(r);
      task.tick(WORK_UNITS[r.method], { split: splitNo, seed: r.seed, method: r.method, bleu4: Number(r.metrics.bleu4.toFixed(2)) });
    };
    if (parallel && (todo.length > 1 || pretrainPending)) {
      const jobs: WorkerJob[] = [
        ...(pretrainPending ? [{ kind: 'pretrain' } as const] : []),
        ...todo.map((job) => ({ kind: 'run', job, needsBase: METHOD_BASE[job.method] === 'gpt2-pretrained' }) as const),
      ];
      const spec = { dataset: opts.dataset, ...(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir }), profile, out, split: splitNo };
      await runInWorkers(jobs, concurrency, spec, progress, done, () => task.tick(preUnits, { split: splitNo, step: 'base LM' }));
      if (pretrainPending) {
        const fresh = await prepareSplit(ds, splitNo, profile, out, false);
        // pre-trained by a worker during this invocation, not reused
        ctx = fresh.info.pretrain ? { ...fresh, info: { ...fresh.info, pretrain: { ...fresh.info.pretrain, reused: false } } } : fresh;
      }
    } else {
      for (const job of todo) done(await runOne(ctx, profile, out, job, inner));
    }
    splitInfos.push(ctx.info);
  }
  task.finish();
  const wallSeconds = (Date.now() - t0) / 1000;
  const computed = runs.filter((x) => Date.parse(x.finishedAt) >= t0).length;
  const invocation: Invocation = { startedAt: new Date(t0).toISOString(), wallSeconds, runsComputed: computed, runsReused: runs.length - computed, concurrency, ...(opts.command ? { command: opts.command } : {}) };
  const invFile = join(out, 'invocations.jsonl');
  const previous = existsSync(invFile) ? readFileSync(invFile, 'utf8') : '';
  await writeFileAtomic(invFile, previous + JSON.stringify(invocation) + '\n');
  const invocations = (previous + JSON.stringify(invocation) + '\n').trim().split('\n').map((l) => JSON.parse(l) as Invocation);
  const order = (r: RunResult): number => runMethods.indexOf(r.method) + 1000 * (r.split * 100 + r.seed);
  runs.sort((a, b) => order(a) - order(b));
  const result: Omit<BenchExplainResult, 'reportFiles'> = {
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
