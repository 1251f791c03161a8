/**
 * `xrec bench explain`: every PEPLER variant (Li, Zhang & Chen, TOIS 2023) plus the no-pre-training ablation
 * and the retrieval baseline on each split and seed of an explanation dataset, scored with @xrec/metrics
 * against the same truncated references, with report.json, report.md, SVG charts and per-run
 * generated.jsonl. Finished runs (result.json with the same fingerprint) are reused on a re-run.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, Rng, silentProgress, writeFileAtomic, type ExplanationRecord, type Progress } from '@xrec/core';
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
  readonly timings: { readonly trainSeconds: number; readonly generateSeconds: number; readonly totalSeconds: number };
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

export interface SplitInfo {
  readonly split: number;
  readonly rows: { readonly train: number; readonly validation: number; readonly test: number };
  readonly dropped: SplitRows['dropped'];
  readonly pretrain?: PretrainReport & { readonly config: TransformerConfig; readonly reused: boolean };
}

export interface BenchExplainResult {
  readonly dataset: { readonly name: string; readonly source: string; readonly records: number; readonly features: number; readonly ratingRange: readonly [number, number] };
  readonly profile: BenchProfile;
  readonly methods: MethodId[];
  readonly seeds: number;
  readonly splits: SplitInfo[];
  readonly runs: RunResult[];
  readonly skipped: { readonly method: MethodId; readonly reason: string }[];
  readonly environment: BenchEnvironment;
  readonly wallSeconds: number;
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
    seed,
  };
  switch (method) {
    case 'pepler-d':
      return { ...common, variant: 'discrete', ...(profile.pepler.discreteLr > 0 ? { lr: profile.pepler.discreteLr } : {}) };
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
      return { ...common, variant: 'continuous', words: profile.storiesWords, maxNewTokens: profile.storiesWords };
    case 'retrieval':
      return {};
  }
}

function gpt2Config(profile: BenchProfile, vocabSize: number): TransformerConfig {
  return resolveTransformerConfig({ arch: 'gpt2', vocabSize, ...profile.lm, nKvHeads: profile.lm.nHeads });
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

/** Run the benchmark; returns everything written to report.json. */
export async function runBenchExplain(opts: BenchExplainOptions): Promise<BenchExplainResult> {
  const t0 = Date.now();
  const profile = typeof opts.profile === 'string' ? getProfile(opts.profile) : opts.profile;
  const methods = parseMethods(opts.methods, profile);
  const seeds = opts.seeds ?? profile.seeds;
  if (!Number.isInteger(seeds) || seeds < 1) throw new ConfigError(`bench explain: --seeds must be a positive integer, got ${seeds}`);
  const progress = opts.progress ?? silentProgress;
  const out = resolve(opts.out);
  mkdirSync(out, { recursive: true });
  await initBackend();
  const ds = await loadExplanationDataset(opts.dataset, opts.dataDir === undefined ? {} : { dataDir: opts.dataDir });
  const nSplits = Math.min(profile.splits, ds.splits.length);
  if (nSplits === 0) throw new ConfigError(`bench explain: dataset '${ds.name}' has no splits`);
  const features = featureSetOf(ds);
  await writeFileAtomic(join(out, 'features.txt'), features.join('\n') + '\n');
  const [minRating, maxRating] = ds.ratingRange;

  const stories = findStories();
  const skipped: { method: MethodId; reason: string }[] = [];
  let runMethods = methods;
  if (methods.includes('pepler-stories') && !stories.files) {
    skipped.push({ method: 'pepler-stories', reason: `stories260K.bin/tok512.bin not found (looked in ${stories.looked.join(', ')}; set XREC_STORIES_DIR)` });
    runMethods = methods.filter((m) => m !== 'pepler-stories');
  }
  const needsBase = runMethods.some((m) => METHOD_BASE[m] === 'gpt2-pretrained' || METHOD_BASE[m] === 'gpt2-random');
  const total = nSplits * (runMethods.length * seeds + (needsBase ? 1 : 0));
  const task = progress.start(`bench explain ${ds.name} (${profile.name})`, total);
  const inner = loggingProgress(progress);
  const runs: RunResult[] = [];
  const splitInfos: SplitInfo[] = [];
  const dsKey = { name: ds.name, source: ds.source, records: ds.records.length };

  for (let k = 0; k < nSplits; k++) {
    const splitNo = k + 1;
    const rows = splitRows(ds.records, ds.splits[k]!, profile);
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
    const words = 20;
    const canonical = new Map<number, string>();
    for (const r of [...rows.train, ...rows.validation, ...rows.test]) canonical.set(r, truncateText(tokenizer, ds.records[r]!.sentence, words));
    // every model learns and is scored on the same truncated explanations
    const trainRecords: ExplanationRecord[] = ds.records.map((rec, r) => (canonical.has(r) ? { ...rec, sentence: canonical.get(r)! } : rec));

    // base model (a): GPT-2-style LM pre-trained on the training split's text
    const lmConfig = gpt2Config(profile, tokenizer.vocabSize);
    const baseDir = join(splitDir, 'lm-pretrained');
    let pretrainInfo: SplitInfo['pretrain'];
    if (runMethods.some((m) => METHOD_BASE[m] === 'gpt2-pretrained')) {
      const preKey = JSON.stringify({ tokKey, lm: lmConfig, pretrain: profile.pretrain });
      const meta = readJson<PretrainReport & { key: string }>(join(splitDir, 'pretrain.json'));
      if (meta?.key === preKey && existsSync(join(baseDir, 'config.json'))) {
        pretrainInfo = { ...meta, config: lmConfig, reused: true };
      } else {
        const lm = TransformerLM.create(lmConfig, new Rng(1000 + splitNo));
        try {
          const rep = await pretrainLM(lm, tokenizer, trainTexts, valTexts, { ...profile.pretrain, seed: 1000 + splitNo }, inner);
          for (const e of rep.epochs) progress.log(`split ${splitNo} pre-train epoch ${e.epoch + 1}: train ${e.trainLoss.toFixed(4)} val ${e.valLoss?.toFixed(4) ?? '-'}`);
          await lm.save(baseDir, { xrec_bench: 'base LM (a): pre-trained on the training split text only' });
          await writeFileAtomic(join(splitDir, 'pretrain.json'), JSON.stringify({ ...rep, key: preKey }, null, 1));
          pretrainInfo = { ...rep, config: lmConfig, reused: false };
        } finally {
          lm.dispose();
        }
      }
    }
    if (needsBase) task.tick(1, { split: splitNo, step: 'base LM' });
    splitInfos.push({
      split: splitNo,
      rows: { train: rows.train.length, validation: rows.validation.length, test: rows.test.length },
      dropped: rows.dropped,
      ...(pretrainInfo ? { pretrain: pretrainInfo } : {}),
    });

    const testRecords = rows.test.map((r) => ({ rec: ds.records[r]!, reference: canonical.get(r)! }));
    for (let s = 1; s <= seeds; s++) {
      for (const method of runMethods) {
        const runRel = join('runs', method, `split${splitNo}-seed${s}`);
        const runDir = join(out, runRel);
        const config = methodConfig(method, profile, s);
        const fingerprint = JSON.stringify({ dsKey, split: splitNo, seed: s, method, profile, rows: [rows.train.length, rows.validation.length, rows.test.length] });
        const prev = readJson<RunResult>(join(runDir, 'result.json'));
        if (prev?.fingerprint === fingerprint && existsSync(join(out, prev.generated))) {
          runs.push(prev);
          progress.log(`reusing ${runRel}`);
          task.tick(1, { split: splitNo, seed: s, method, reused: 1 });
          continue;
        }
        mkdirSync(runDir, { recursive: true });
        const r0 = Date.now();
        let trainSeconds = 0;
        let tokensPerSecond = 0;
        let epochs: PeplerEpochLog[] = [];
        let stages: PeplerStageReport[] = [];
        let generated: string[];
        let predicted: number[] | undefined;
        let modelRel: string | undefined;
        let generateSeconds: number;
        if (method === 'retrieval') {
          const ret = new RetrievalBaseline(rows.train.map((r) => trainRecords[r]!));
          const g0 = Date.now();
          generated = testRecords.map((t) => ret.explain(t.rec.user, t.rec.item));
          generateSeconds = (Date.now() - g0) / 1000;
        } else {
          const base = METHOD_BASE[method];
          let lm: TransformerLM;
          let tok: Tokenizer = tokenizer;
          let tokFileUsed = tokFile;
          if (base === 'gpt2-pretrained') lm = await TransformerLM.load(baseDir);
          else if (base === 'gpt2-random') lm = TransformerLM.create(lmConfig, new Rng(2000 + 100 * splitNo + s));
          else {
            lm = await loadLlama2c(stories.files!.model);
            tok = await loadTokenizer(stories.files!.tokenizer);
            tokFileUsed = stories.files!.tokenizer;
          }
          const { model, report } = await Pepler.train({
            lm,
            tokenizer: tok,
            tokenizerFile: tokFileUsed,
            data: { records: trainRecords, train: rows.train, validation: rows.validation },
            config,
            label: method,
            progress: inner,
            onEpochEnd: (e) =>
              progress.log(`split ${splitNo} seed ${s} ${method} ${e.stage} epoch ${e.epoch + 1}: train ${e.trainLoss.toFixed(4)} val ${e.valLoss?.toFixed(4) ?? '-'}`),
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
        const metrics = explanationMetrics(jsonlRows, { features, minRating, maxRating });
        const genRel = join(runRel, 'generated.jsonl');
        await writeFileAtomic(join(out, genRel), jsonlRows.map((r) => JSON.stringify(r)).join('\n') + '\n');
        const result: RunResult = {
          method,
          baseModel: METHOD_BASE[method],
          split: splitNo,
          seed: s,
          fingerprint,
          config: { ...config, ...(stages.length > 0 ? {} : {}) },
          metrics,
          timings: { trainSeconds, generateSeconds, totalSeconds: (Date.now() - r0) / 1000 },
          tokensPerSecond,
          epochs,
          stages,
          testRows: jsonlRows.length,
          generated: genRel,
          ...(modelRel ? { model: modelRel } : {}),
          finishedAt: new Date().toISOString(),
        };
        await writeFileAtomic(join(runDir, 'result.json'), JSON.stringify(result, null, 1));
        runs.push(result);
        task.tick(1, { split: splitNo, seed: s, method, bleu4: Number(metrics.bleu4.toFixed(2)) });
      }
    }
  }
  task.finish();
  const result: Omit<BenchExplainResult, 'reportFiles'> = {
    dataset: { name: ds.name, source: ds.source, records: ds.records.length, features: features.length, ratingRange: ds.ratingRange },
    profile,
    methods: runMethods,
    seeds,
    splits: splitInfos,
    runs,
    skipped,
    environment: benchEnvironment(),
    wallSeconds: (Date.now() - t0) / 1000,
    ...(opts.command ? { command: opts.command } : {}),
  };
  const reportFiles = await writeReport(out, result);
  return { ...result, reportFiles };
}
