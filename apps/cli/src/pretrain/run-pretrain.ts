/**
 * Pre-training a base model on the pre-training corpus: a GPT-2-style causal LM (objective `clm`, the
 * xrec-base recipe) or a BERT-style masked-LM encoder (objective `mlm`, xrec-base-mlm: 15% of the tokens
 * chosen, 80/10/10 mask/random/keep, see mlm-batch.ts in the transformer package):
 *
 * 1. a byte-level BPE tokenizer trained on the corpus's training documents (`<bos>`, `<eos>`, `<pad>` on top),
 *    or a given one (`tokenizer`; `<mask>` is added for mlm when missing);
 * 2. every document encoded as `<bos> text <eos>`, one token stream per source and split (every
 *    `valEvery`-th document held out);
 * 3. a token budget instead of epochs: `ceil(tokens / (batch·seq))` AdamW updates on windows drawn by source
 *    weight (default: proportional to each source's tokens), warm-up then cosine decay to `minLr`;
 * 4. the shared trainer runs them in segments of `segmentSteps` updates — one trainer "epoch" each — so every
 *    segment ends with validation (overall and per source), an atomic checkpoint with optimizer and RNG
 *    state, and a JSON-lines log record; `resume` continues a killed run exactly;
 * 5. the final model, its tokenizer and a summary go to `out` in Hugging Face's layout (see hf-dir.ts).
 */
import { cpus, totalmem } from 'node:os';
import { appendFileSync, existsSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, checkOutputDir, ConfigError, Rng, writeFileAtomic, type Progress } from '@xrec/core';
import { listCorpusSources, readCorpusDocuments, verifyCorpus, type CorpusSource } from '@xrec/data';
import { loadTokenizer, saveTokenizer, trainBpe, type Tokenizer } from '@xrec/tokenizer';
import { autoWorkers, describeBackend, initBackend, loadTrainCheckpoint, nativeStatus, readTrainState, train, TransformerLM, type EpochLog, type PositionBias } from '@xrec/transformer';
import { encodeCorpus, fixedWindows, WindowSampler, type SourceTokens } from './corpus-tokens.js';
import { pretrainObjective, type ObjectiveName, type PretrainBatch } from './objective.js';
import { saveHfModelDir } from '../hf-dir.js';

export interface PretrainConfig {
  /** `clm`: causal next-token LM (GPT-2 style); `mlm`: masked-LM encoder (BERT style). */
  readonly objective: ObjectiveName;
  /** An existing tokenizer.json to use instead of training one (`vocab` is then its size). */
  readonly tokenizer?: string;
  readonly corpus: string;
  /** Final model directory (Hugging Face layout). */
  readonly out: string;
  /** Work directory: tokenizer, checkpoint, log (kept out of the model directory). */
  readonly work: string;
  readonly tokens: number;
  readonly vocab: number;
  readonly dModel: number;
  readonly layers: number;
  readonly heads: number;
  /** mlm: fixed distance bias on the encoder's attention scores (`none` when absent). */
  readonly positionBias?: PositionBias;
  readonly seq: number;
  readonly batch: number;
  readonly lr: number;
  readonly minLr: number;
  readonly warmup: number;
  readonly weightDecay: number;
  readonly clip: number;
  readonly seed: number;
  readonly segmentSteps: number;
  /** Validation windows per source. */
  readonly valWindows: number;
  readonly valEvery: number;
  /** Source weights (name → weight); unnamed sources weigh their share of training tokens. */
  readonly weights: Readonly<Record<string, number>>;
  readonly resume: boolean;
  /** Data-parallel worker threads besides the main one (`auto`: by model size, batch and backend). */
  readonly workers: number | 'auto';
  /** Stop (after the current segment, with a checkpoint) once this many minutes of this run have passed. */
  readonly maxMinutes?: number;
}

export const SPECIAL_TOKENS = ['<bos>', '<eos>', '<pad>'] as const;

export interface PretrainSummary {
  readonly format: 'xrec-pretrain-summary';
  readonly version: 1;
  readonly complete: boolean;
  readonly steps: number;
  readonly totalSteps: number;
  readonly tokensSeen: number;
  readonly parameters: number;
  readonly trainSeconds: number;
  readonly segments: readonly EpochLog[];
  readonly valLoss: Readonly<Record<string, number>>;
  readonly corpus: Readonly<Record<string, { documents: { train: number; val: number }; words: { train: number; val: number }; tokens: { train: number; val: number }; weight: number }>>;
  readonly tokensPerWord: number;
  /** The run's settings; `tokenizer` (a given tokenizer file) relative to the output folder. */
  readonly config: Omit<PretrainConfig, 'corpus' | 'out' | 'work' | 'tokenizer'> & { readonly tokenizer?: string };
  readonly machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; backend: string };
}

async function corpusTokenizer(c: PretrainConfig, sources: readonly CorpusSource[], progress: Progress): Promise<Tokenizer> {
  const path = join(c.work, 'tokenizer.json');
  if (existsSync(path)) {
    progress.log(`pretrain: tokenizer from ${path}`);
    return loadTokenizer(path);
  }
  if (c.tokenizer !== undefined) {
    let tok = await loadTokenizer(c.tokenizer);
    if (c.objective === 'mlm' && tok.maskId === undefined) tok = tok.withSpecialTokens(['<mask>']);
    progress.log(`pretrain: tokenizer ${c.tokenizer} (${tok.vocabSize} ids${c.objective === 'mlm' ? `, mask id ${tok.maskId}` : ''})`);
    await saveTokenizer(tok, path);
    return tok;
  }
  const docs: string[] = [];
  for (const s of sources) for await (const d of readCorpusDocuments(s, { split: 'train', valEvery: c.valEvery })) docs.push(d.text);
  const specials = c.objective === 'mlm' ? [...SPECIAL_TOKENS, '<mask>'] : [...SPECIAL_TOKENS];
  const tok = trainBpe(docs, { vocabSize: c.vocab - specials.length, specialTokens: specials }, progress);
  await saveTokenizer(tok, path);
  return tok;
}

function specialId(tok: Tokenizer, role: 'bosId' | 'eosId' | 'padId'): number {
  const id = tok[role];
  if (id === undefined) throw new ConfigError(`pretrain: the tokenizer has no ${role} (special tokens ${SPECIAL_TOKENS.join(', ')} expected)`);
  return id;
}

/** Run (or resume) pre-training; returns the summary also written to `out/pretrain-summary.json`. */
export async function runPretrain(c: PretrainConfig, progress: Progress): Promise<PretrainSummary> {
  checkOutputDir(c.out);
  checkOutputDir(c.work, '--work');
  const backend = await initBackend();
  progress.log(`backend: ${describeBackend(backend)}`);
  const sources = listCorpusSources(c.corpus);
  await verifyCorpus(sources);
  const checkpointDir = join(c.work, 'checkpoint');
  if (!c.resume && existsSync(join(checkpointDir, 'trainer-state.json'))) {
    throw new ConfigError(`pretrain: ${c.work} holds a run; pass --resume to continue it, or choose another --work`);
  }
  if (!c.resume) rmSync(join(c.work, 'pretrain-log.jsonl'), { force: true });
  await mkdir(c.work, { recursive: true });
  const tok = await corpusTokenizer(c, sources, progress);
  const bos = specialId(tok, 'bosId');
  const eos = specialId(tok, 'eosId');
  const streams: SourceTokens[] = await encodeCorpus(sources, tok, { bos, eos }, progress, c.valEvery);
  for (const name of Object.keys(c.weights)) {
    if (!streams.some((s) => s.name === name)) throw new ConfigError(`--weights: unknown source '${name}' (sources: ${streams.map((s) => s.name).join(', ')})`);
  }
  const trainTokens = streams.reduce((a, s) => a + s.train.length, 0);
  const weights = streams.map((s) => c.weights[s.name] ?? s.train.length / trainTokens);
  const sampler = new WindowSampler(
    streams.map((s) => s.train),
    weights,
    c.seq,
  );
  const valSets = streams.map((s) => ({ name: s.name, w: fixedWindows(s.val, c.seq, c.valWindows) }));

  const objective = pretrainObjective(c, tok);
  const config = objective.config;
  const model = TransformerLM.create(config, new Rng(c.seed).fork('init'));
  const totalSteps = Math.ceil(c.tokens / (c.batch * c.seq));
  const segments = Math.ceil(totalSteps / c.segmentSteps);
  progress.log(
    `pretrain: ${c.objective} objective, ${model.numParameters().toLocaleString('en-US')} parameters (${config.arch}, d ${c.dModel}, ${c.layers} layers, ${c.heads} heads, vocab ${tok.vocabSize}); ` +
      `corpus ${trainTokens.toLocaleString('en-US')} training tokens in ${streams.length} sources; budget ${c.tokens.toLocaleString('en-US')} tokens = ${totalSteps} updates of ${c.batch}×${c.seq} in ${segments} segments`,
  );
  const workers = c.workers === 'auto' ? autoWorkers({ parameters: model.numParameters(), batchRows: c.batch, tokensPerStep: c.batch * c.seq, native: nativeStatus().active }) : c.workers;
  const started = performance.now();
  const valLoss: Record<string, number> = {};
  let stopEarly = false;
  // recorded only when set, so runs without it keep their run key and summary
  const positionBias = c.positionBias !== undefined && c.positionBias !== 'none' ? { positionBias: c.positionBias } : {};
  try {
    const result = await train<PretrainBatch>({
      variables: model.trainableVariables(),
      lossFn: (b, training) => objective.loss(model, b, training),
      ...(workers > 0 ? { parallel: objective.parallel(workers) } : {}),
      // a resume may extend the token budget (a second segment), not change the data or the model
      run: {
        corpus: c.corpus, vocab: c.vocab, dModel: c.dModel, layers: c.layers, heads: c.heads, seq: c.seq, batch: c.batch, weights: c.weights, segmentSteps: c.segmentSteps, replicas: workers + 1,
        ...positionBias,
        ...(c.objective !== 'clm' ? { objective: c.objective } : {}),
        ...(c.tokenizer !== undefined ? { tokenizer: c.tokenizer } : {}),
      },
      trainBatches: (epoch, rng) => {
        const n = Math.min(c.segmentSteps, totalSteps - epoch * c.segmentSteps);
        return Array.from({ length: n }, () => objective.batch(sampler.batch(c.batch, rng), c.batch, rng));
      },
      config: {
        epochs: segments,
        totalSteps,
        lr: c.lr,
        minLr: c.minLr,
        warmupSteps: c.warmup,
        schedule: 'cosine',
        weightDecay: c.weightDecay,
        clipNorm: c.clip,
        checkpointDir,
        resume: c.resume,
        logFile: join(c.work, 'pretrain-log.jsonl'),
        logEvery: 50,
        seed: c.seed,
      },
      progress,
      label: 'pretrain segment',
      onEpochEnd: async ({ epoch, trainLoss }) => {
        for (const v of valSets) if (v.w.size > 0) valLoss[v.name] = (await objective.heldOutLoss(model, v.w, c.batch)).loss;
        const step = Math.min(totalSteps, (epoch + 1) * c.segmentSteps);
        const rec = { type: 'val', epoch, step, train_loss: trainLoss, val_loss: valLoss };
        appendFileSync(join(c.work, 'pretrain-log.jsonl'), `${JSON.stringify(rec)}\n`);
        const mean = Object.values(valLoss).reduce((a, b) => a + b, 0) / Math.max(1, Object.keys(valLoss).length);
        progress.log(`pretrain: step ${step}/${totalSteps}, train loss ${trainLoss.toFixed(3)}, mean held-out loss over sources ${mean.toFixed(3)}`);
        if (c.maxMinutes !== undefined && (performance.now() - started) / 60000 >= c.maxMinutes) {
          stopEarly = true;
          throw new StopSignal();
        }
      },
    }).catch((e: unknown) => {
      if (e instanceof StopSignal) return undefined;
      throw e;
    });
    const state = readTrainState(checkpointDir);
    const steps = result?.steps ?? state.step;
    const segmentsLog = result?.epochs ?? state.epochs;
    const summary: PretrainSummary = {
      format: 'xrec-pretrain-summary',
      version: 1,
      complete: !stopEarly && steps >= totalSteps,
      steps,
      totalSteps,
      tokensSeen: steps * c.batch * c.seq,
      parameters: model.numParameters(),
      trainSeconds: segmentsLog.reduce((a, e) => a + e.seconds, 0),
      segments: segmentsLog,
      valLoss,
      corpus: Object.fromEntries(
        streams.map((s, i) => [s.name, { documents: s.documents, words: s.words, tokens: { train: s.train.length, val: s.val.length }, weight: weights[i]! }]),
      ),
      tokensPerWord: streams.reduce((a, s) => a + s.train.length - 2 * s.documents.train, 0) / streams.reduce((a, s) => a + s.words.train, 0),
      config: {
        // relative to the output folder: the summary travels with the model, a machine path would not
        objective: c.objective, ...(c.tokenizer !== undefined ? { tokenizer: relative(c.out, c.tokenizer) } : {}),
        tokens: c.tokens, vocab: tok.vocabSize, dModel: c.dModel, layers: c.layers, heads: c.heads, seq: c.seq, batch: c.batch, lr: c.lr, minLr: c.minLr, warmup: c.warmup,
        ...positionBias,
        weightDecay: c.weightDecay, clip: c.clip, seed: c.seed, segmentSteps: c.segmentSteps, valWindows: c.valWindows, valEvery: c.valEvery, weights: c.weights, resume: c.resume, workers,
        ...(c.maxMinutes !== undefined ? { maxMinutes: c.maxMinutes } : {}),
      },
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, backend: describeBackend(backend) },
    };
    await writeFileAtomic(join(c.work, 'pretrain-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    if (summary.complete) {
      await saveHfModelDir(c.out, model, tok, { trained_by: 'xrec pretrain' });
      await writeFileAtomic(join(c.out, 'pretrain-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    }
    return summary;
  } finally {
    model.dispose();
  }
}

class StopSignal extends Error {
  constructor() {
    super('pretrain: --max-minutes reached');
  }
}

/**
 * Write the model of the run's latest checkpoint (in `c.work`) to `dir` in Hugging Face's layout, with the
 * run's tokenizer: a usable model from a run that is still going or was stopped. The model flags must be the
 * run's (a shape mismatch is a CheckpointError naming the tensor).
 */
export async function exportCheckpoint(c: PretrainConfig, dir: string, progress: Progress): Promise<{ step: number }> {
  await initBackend();
  checkOutputDir(dir, '--export-to');
  const tok = await loadTokenizer(join(c.work, 'tokenizer.json'));
  const ck = await loadTrainCheckpoint(join(c.work, 'checkpoint'));
  const model = TransformerLM.create(pretrainObjective(c, tok).config, new Rng(0));
  try {
    const vars = model.trainableVariables();
    tf.tidy(() => {
      for (const [name, v] of vars) {
        const p = ck.params.get(name);
        if (!p || p.length !== v.size) throw new CheckpointError(`--export-to: checkpoint tensor '${name}' is ${p ? `${p.length} values` : 'missing'}, the model needs ${v.size} (pass the run's --d-model/--layers/--heads/--seq)`);
        v.assign(tf.tensor(p, v.shape, 'float32'));
      }
    });
    await saveHfModelDir(dir, model, tok, { trained_by: 'xrec pretrain', checkpoint_step: String(ck.state.step) });
    progress.log(`pretrain: exported the checkpoint of step ${ck.state.step} to ${dir}`);
    return { step: ck.state.step };
  } finally {
    model.dispose();
  }
}
