/**
 * `xrec train lm`: pre-train a GPT-2- or Llama-style language model on plain text (one document per line)
 * with the shared trainer of @xrec/transformer (AdamW, clipping, warm-up + cosine decay, validation,
 * per-epoch checkpoints, `--resume`).
 *
 * Data: every line is encoded with the tokenizer, documents are joined with an end-of-text separator
 * into one stream, and the stream is cut into windows of `seq + 1` tokens (inputs = first `seq`, labels =
 * the next token at each position). A seeded split holds out `--val-fraction` of the windows.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkOutputDir, ConfigError, DataError, Rng, writeFileAtomic } from '@xrec/core';
import {
  initBackend,
  describeBackend,
  resolveTransformerConfig,
  train,
  TransformerLM,
  type Arch,
  type TrainerConfig,
  type TransformerConfig,
} from '@xrec/transformer';
import { loadTokenizer } from '@xrec/tokenizer';
import { terminalProgress } from '../progress.js';
import { saveHfModelDir } from '../hf-dir.js';
import { cliArch, cliFloat, cliInt, cliSeed, cliWorkers } from '../args.js';

/** The trainer flags shared by `train lm` and `train lora`, as commander parses them. */
export interface TrainFlags {
  epochs: number;
  lr: number;
  weightDecay: number;
  clip: number;
  warmup: number;
  schedule: 'constant' | 'linear' | 'cosine';
  batch: number;
  seq: number;
  seed: number;
  valFraction: number;
  maxDocs?: number;
  resume?: boolean;
  overwrite?: boolean;
  forceConfig?: boolean;
}

/** Add the shared trainer flags to a training command; defaults and the seed's help differ per command. */
export function addTrainFlags(
  cmd: Command,
  d: { epochs: number; lr: number; weightDecay: number; warmup: number; valFraction: number; seedHelp: string },
): Command {
  return cmd
    .option('--epochs <n>', 'epochs', cliInt('--epochs'), d.epochs)
    .option('--lr <x>', 'peak learning rate', cliFloat('--lr'), d.lr)
    .option('--weight-decay <x>', 'AdamW decoupled weight decay', cliFloat('--weight-decay'), d.weightDecay)
    .option('--clip <x>', 'global gradient-norm clip (0 = off)', cliFloat('--clip'), 1)
    .option('--warmup <n>', 'warm-up updates', cliInt('--warmup', 0), d.warmup)
    .option('--schedule <kind>', 'constant, linear or cosine decay after warm-up', 'cosine')
    .option('--batch <n>', 'windows per batch', cliInt('--batch'), 16)
    .option('--seq <n>', 'tokens per window', cliInt('--seq'), 64)
    .option('--seed <n>', d.seedHelp, cliSeed, 0)
    .option('--val-fraction <x>', 'share of windows held out for validation', cliFloat('--val-fraction'), d.valFraction)
    .option('--max-docs <n>', 'use only the first N lines', cliInt('--max-docs'))
    .option('--resume', 'continue from OUT/checkpoint if a killed run left one')
    .option('--overwrite', 'start over even though OUT holds a resumable run (its checkpoint and log are replaced)')
    .option('--force-config', 'with --resume: continue even though settings changed since the checkpoint (default: an error listing the changes)');
}

/** The trainer configuration the shared flags describe, checkpointing and logging into `out`. */
export function trainerConfigFromFlags(o: TrainFlags, out: string): Partial<TrainerConfig> {
  checkOutputDir(out);
  if (existsSync(join(out, 'checkpoint', 'trainer-state.json')) && !o.resume && !o.overwrite) {
    throw new ConfigError(`--out ${out} holds a resumable run (checkpoint/); pass --resume to continue it or --overwrite to start over`);
  }
  if (o.overwrite && !o.resume) {
    // xrec's own files of the previous run (never anything else in OUT)
    rmSync(join(out, 'train-log.jsonl'), { force: true });
    rmSync(join(out, 'checkpoint'), { recursive: true, force: true });
  }
  return {
    epochs: o.epochs,
    lr: o.lr,
    weightDecay: o.weightDecay,
    clipNorm: o.clip,
    warmupSteps: o.warmup,
    schedule: o.schedule,
    checkpointDir: join(out, 'checkpoint'),
    resume: Boolean(o.resume),
    logFile: join(out, 'train-log.jsonl'),
    seed: o.seed,
  };
}

/**
 * The settings of a run that a resume must not change (compared with the checkpoint's by the trainer):
 * the named options, with file paths made absolute.
 */
export function runSettings(o: object, keys: readonly string[], paths: readonly string[] = []): Record<string, unknown> {
  const rec = o as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => rec[k] !== undefined).map((k) => [k, paths.includes(k) ? resolve(String(rec[k])) : rec[k]]));
}

/** The model-size flags shared by `train lm` and `bench speed`. */
export interface ModelFlags {
  arch: Arch;
  dModel?: number;
  layers?: number;
  heads?: number;
  kvHeads?: number;
  dFf?: number;
  dropout?: number;
}

/** Resolve a TransformerConfig from the model-size flags. */
export function configFromModelFlags(o: ModelFlags, vocabSize: number, contextLength: number, extra: Partial<TransformerConfig> = {}): TransformerConfig {
  return resolveTransformerConfig({
    arch: o.arch,
    vocabSize,
    contextLength,
    dModel: o.dModel,
    nLayers: o.layers,
    nHeads: o.heads,
    dropout: o.dropout,
    ...(o.kvHeads !== undefined ? { nKvHeads: o.kvHeads } : {}),
    ...(o.dFf !== undefined ? { dFF: o.dFf } : {}),
    ...extra,
  });
}

/** Validate the trainer flags shared by `train lm` and `train lora`; errors name the flag. */
export function checkTrainFlags(o: { schedule: string; valFraction: number }): void {
  if (o.schedule !== 'constant' && o.schedule !== 'linear' && o.schedule !== 'cosine') {
    throw new ConfigError(`--schedule: expected constant, linear or cosine, got '${String(o.schedule)}'`);
  }
  if (o.valFraction >= 1) throw new ConfigError(`--val-fraction: expected a number < 1, got ${o.valFraction}`);
}

/** A plain-text corpus encoded and cut into `seq + 1`-token windows, with a seeded validation split. */
export interface TextWindows {
  readonly textPath: string;
  readonly documents: number;
  readonly tokens: number;
  /** Largest token id in the stream (to check against the model's vocabulary). */
  readonly maxId: number;
  readonly windows: Int32Array[];
  readonly trainIdx: number[];
  readonly valIdx: number[];
}

/**
 * Read `text` (one document per line; blank lines skipped, at most `maxDocs`), encode every line, join the
 * documents with the tokenizer's end-of-text (else BOS) id into one stream, cut it into windows of
 * `seq + 1` tokens, and hold out `valFraction` of the windows (at least one when > 0) by a seeded permutation.
 */
export function readTextWindows(
  text: string,
  tokenizer: { encode(s: string): number[]; eosId?: number; bosId?: number },
  o: { seq: number; maxDocs?: number; valFraction: number; seed: number },
): TextWindows {
  const textPath = resolve(text);
  if (!existsSync(textPath)) throw new DataError(`--text: file not found: ${textPath}`);
  let lines = readFileSync(textPath, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (o.maxDocs !== undefined) lines = lines.slice(0, o.maxDocs);
  if (lines.length === 0) throw new DataError(`${textPath}: no non-empty lines (one document per line expected)`);
  const sep = tokenizer.eosId ?? tokenizer.bosId;
  const stream: number[] = [];
  for (const line of lines) {
    for (const id of tokenizer.encode(line)) stream.push(id);
    if (sep !== undefined) stream.push(sep);
  }
  const maxId = stream.reduce((m, x) => Math.max(m, x), 0);
  const nWindows = Math.floor((stream.length - 1) / o.seq);
  if (nWindows < 2) throw new DataError(`${textPath}: ${stream.length} tokens make fewer than 2 windows of ${o.seq}+1 tokens; lower --seq or add text`);
  const windows: Int32Array[] = [];
  for (let w = 0; w < nWindows; w++) windows.push(Int32Array.from(stream.slice(w * o.seq, w * o.seq + o.seq + 1)));
  const perm = new Rng(o.seed).fork('split').permutation(nWindows);
  const nVal = Math.min(nWindows - 1, Math.max(o.valFraction > 0 ? 1 : 0, Math.round(nWindows * o.valFraction)));
  return { textPath, documents: lines.length, tokens: stream.length, maxId, windows, valIdx: perm.slice(0, nVal), trainIdx: perm.slice(nVal) };
}

import { autoWorkers, batchWindows, lmDataParallel, lmLoss, type LmBatch } from '@xrec/transformer';

interface TrainLmOptions extends TrainFlags, ModelFlags {
  workers: number | 'auto';
  json?: boolean;
  text: string;
  tokenizer: string;
  out: string;
  context?: number;
  vocabSize?: number;
  tie?: boolean;
  minLr?: number;
  patience?: number;
}

export function registerTrain(program: Command): void {
  const trainCmd = program.commands.find((c) => c.name() === 'train') ?? program.command('train').description('train models');
  const lm = trainCmd
    .command('lm')
    .description('pre-train a GPT-2- or Llama-style language model on plain text (one document per line)')
    .requiredOption('--text <file>', 'plain-text corpus, one document per line')
    .requiredOption('--tokenizer <file>', 'tokenizer file (loaded with @xrec/tokenizer loadTokenizer)')
    .requiredOption('--arch <arch>', 'gpt2 or llama', cliArch)
    .requiredOption('--out <dir>', 'output directory: model (model.safetensors + config.json), checkpoint/, train-log.jsonl')
    .option('--d-model <n>', 'model width', cliInt('--d-model'), 128)
    .option('--layers <n>', 'transformer blocks', cliInt('--layers'), 2)
    .option('--heads <n>', 'attention heads', cliInt('--heads'), 4)
    .option('--kv-heads <n>', 'key/value heads (llama grouped-query attention; default = heads)', cliInt('--kv-heads'))
    .option('--d-ff <n>', 'MLP width (default: gpt2 4*d, llama SwiGLU rule)', cliInt('--d-ff'))
    .option('--context <n>', 'max positions (default: --seq)', cliInt('--context'))
    .option('--vocab-size <n>', 'embedding rows (default: the tokenizer vocabulary size)', cliInt('--vocab-size'))
    .option('--dropout <p>', 'dropout probability', cliFloat('--dropout'), 0.1)
    .option('--no-tie', 'untied output layer (llama; gpt2 is always tied)')
    .option('--min-lr <x>', 'final learning rate of the decay', cliFloat('--min-lr'))
    .option('--patience <n>', 'early stopping: epochs without validation improvement (restores the best weights)', cliInt('--patience'))
    .option('--workers <n|auto>', 'data-parallel worker threads besides the main one (auto: by model size, batch and backend)', cliWorkers, 'auto' as const)
    .option('--json', 'print the training summary as one JSON object on stdout (progress stays on stderr)');
  addTrainFlags(lm, { epochs: 5, lr: 1e-3, weightDecay: 0.01, warmup: 50, valFraction: 0.05, seedHelp: 'seed for init, shuffling, split and dropout' });
  lm.action(async (o: TrainLmOptions) => {
    await trainLm(o);
  });
}

async function trainLm(o: TrainLmOptions): Promise<void> {
  checkTrainFlags(o);
  const progress = terminalProgress();
  const backend = await initBackend();
  progress.log(`backend: ${describeBackend(backend)}`);
  const tokenizer = await loadTokenizer(resolve(o.tokenizer));
  const data = readTextWindows(o.text, tokenizer, o);
  const { textPath, windows, trainIdx, valIdx } = data;
  const vocabSize = o.vocabSize ?? tokenizer.vocabSize;
  if (data.maxId >= vocabSize) throw new ConfigError(`--vocab-size ${vocabSize} is too small: the tokenizer produced id ${data.maxId}`);

  const config: TransformerConfig = configFromModelFlags(o, vocabSize, o.context ?? o.seq, o.arch === 'llama' ? { tieEmbeddings: o.tie !== false } : {});
  if (o.seq > config.contextLength) throw new ConfigError(`--seq ${o.seq} exceeds --context ${config.contextLength}`);
  const model = TransformerLM.create(config, new Rng(o.seed).fork('init'));
  progress.log(
    `model: ${o.arch}, ${model.numParameters().toLocaleString('en-US')} parameters; data: ${data.documents} documents, ${data.tokens} tokens, ${trainIdx.length} train / ${valIdx.length} val windows of ${o.seq}`,
  );
  const out = resolve(o.out);
  const workers = o.workers === 'auto' ? autoWorkers({ parameters: model.numParameters(), batchRows: o.batch, tokensPerStep: o.batch * o.seq, native: backend.native.active }) : o.workers;
  try {
    const result = await train<LmBatch>({
      variables: model.trainableVariables(),
      lossFn: (b, training, ctx) => lmLoss(model, b, training, ctx.seed),
      ...(workers > 0 ? { parallel: lmDataParallel(config, workers) } : {}),
      run: { ...runSettings(o, ['text', 'tokenizer', 'batch', 'seq', 'valFraction', 'maxDocs'], ['text', 'tokenizer']), model: config, replicas: workers + 1 },
      forceConfig: Boolean(o.forceConfig),
      trainBatches: (_epoch, rng) => batchWindows(windows, rng.shuffle([...trainIdx]), o.batch, o.seq),
      ...(valIdx.length > 0 ? { valBatches: () => batchWindows(windows, valIdx, o.batch, o.seq) } : {}),
      config: {
        ...trainerConfigFromFlags(o, out),
        ...(o.minLr !== undefined ? { minLr: o.minLr } : {}),
        ...(o.patience !== undefined ? { patience: o.patience } : {}),
      },
      progress,
      label: `train ${o.arch}`,
    });
    await saveHfModelDir(out, model, tokenizer, { trained_by: 'xrec train lm' });
    const summary = {
      out,
      backend: backend.choice,
      arch: o.arch,
      parameters: model.numParameters(),
      epochs: result.epochs,
      bestEpoch: result.bestEpoch,
      bestValLoss: result.bestValLoss,
      stoppedEarly: result.stoppedEarly,
      restoredBest: result.restoredBest,
      steps: result.steps,
      startEpoch: result.startEpoch,
      tokensPerSecond: result.tokensPerSecond,
      config,
      data: { text: textPath, documents: data.documents, tokens: data.tokens, trainWindows: trainIdx.length, valWindows: valIdx.length, seq: o.seq, batch: o.batch },
    };
    await writeFileAtomic(join(out, 'train-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    const last = result.epochs[result.epochs.length - 1];
    progress.log(
      `done: ${result.epochs.length} epochs, train loss ${last?.trainLoss.toFixed(4)}${result.bestValLoss !== undefined ? `, best val loss ${result.bestValLoss.toFixed(4)} (epoch ${result.bestEpoch! + 1})` : ''}, ${Math.round(result.tokensPerSecond)} tokens/s; model written to ${out}`,
    );
  } finally {
    model.dispose();
  }
}
