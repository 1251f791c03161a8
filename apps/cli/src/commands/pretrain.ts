/**
 * `xrec pretrain`: pre-train a base model on the pre-training corpus with a token budget — a GPT-2-style
 * causal LM (the recipe of the shipped xrec-base) or a BERT-style masked-LM encoder (xrec-base-mlm); see
 * pretrain/run-pretrain.ts. Progress on stderr; `--json` prints the
 * summary on stdout.
 */
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { ConfigError, resolveDataDir } from '@xrec/core';
import { terminalProgress } from '../progress.js';
import { exportCheckpoint, runPretrain, type PretrainConfig } from '../pretrain/run-pretrain.js';
import type { ObjectiveName } from '../pretrain/objective.js';
import type { PositionBias } from '@xrec/transformer';
import { cliFloat, cliInt, cliSeed, cliWorkers } from '../args.js';

function cliObjective(v: string): ObjectiveName {
  if (v !== 'clm' && v !== 'mlm') throw new ConfigError(`--objective: expected clm or mlm, got '${v}'`);
  return v;
}

function cliPositionBias(v: string): PositionBias {
  if (v !== 'none' && v !== 'alibi') throw new ConfigError(`--position-bias: expected none or alibi, got '${v}'`);
  return v;
}

function parseWeights(v: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of v.split(',')) {
    const m = /^([A-Za-z0-9._-]+)=([0-9.eE+-]+)$/.exec(part.trim());
    if (!m || !Number.isFinite(Number(m[2])) || Number(m[2]) < 0) throw new ConfigError(`--weights: expected source=weight[,source=weight…] with weights >= 0, got '${part}'`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

interface PretrainFlags {
  objective: ObjectiveName;
  tokenizer?: string;
  corpus?: string;
  out: string;
  work?: string;
  workers: number | 'auto';
  tokens: number;
  vocab: number;
  dModel: number;
  layers: number;
  heads: number;
  positionBias: PositionBias;
  seq: number;
  batch: number;
  lr: number;
  minLr: number;
  warmup: number;
  weightDecay: number;
  clip: number;
  seed: number;
  segmentSteps: number;
  valWindows: number;
  weights?: Record<string, number>;
  resume?: boolean;
  maxMinutes?: number;
  exportTo?: string;
  json?: boolean;
}

export function registerPretrain(program: Command): void {
  program
    .command('pretrain')
    .description('pre-train a base model (GPT-2-style causal LM, or BERT-style masked LM) on the pre-training corpus with a token budget')
    .option('--objective <clm|mlm>', 'clm: causal next-token LM (xrec-base); mlm: masked-LM encoder, 15% of tokens masked (xrec-base-mlm)', cliObjective, 'clm' as ObjectiveName)
    .option('--tokenizer <file>', 'use this tokenizer.json instead of training one (--vocab is then its size; mlm adds <mask> when missing)')
    .option('--corpus <dir>', 'corpus folder of <source>.txt.gz files (default: <data dir>/pretrain-corpus)')
    .requiredOption('--out <dir>', 'model directory to write (Hugging Face layout: config.json, model.safetensors, tokenizer files)')
    .option('--work <dir>', 'work directory: tokenizer, checkpoint, log (default: OUT.work)')
    .option('--tokens <n>', 'token budget (training tokens seen)', cliInt('--tokens'), 20_000_000)
    .option('--vocab <n>', 'vocabulary size including <bos> <eos> <pad>', cliInt('--vocab', 259), 8192)
    .option('--d-model <n>', 'model width', cliInt('--d-model'), 192)
    .option('--layers <n>', 'transformer blocks', cliInt('--layers'), 4)
    .option('--heads <n>', 'attention heads', cliInt('--heads'), 4)
    .option('--position-bias <none|alibi>', "mlm only: alibi adds ALiBi's fixed distance bias to the encoder's attention scores", cliPositionBias, 'none' as PositionBias)
    .option('--seq <n>', 'tokens per window (= context length)', cliInt('--seq'), 128)
    .option('--batch <n>', 'windows per update', cliInt('--batch'), 16)
    .option('--lr <x>', 'peak learning rate', cliFloat('--lr'), 2e-3)
    .option('--min-lr <x>', 'final learning rate of the cosine decay', cliFloat('--min-lr'), 2e-4)
    .option('--warmup <n>', 'warm-up updates', cliInt('--warmup', 0), 300)
    .option('--weight-decay <x>', 'AdamW decoupled weight decay', cliFloat('--weight-decay'), 0.1)
    .option('--clip <x>', 'global gradient-norm clip (0 = off)', cliFloat('--clip'), 1)
    .option('--seed <n>', 'seed for tokenizer-independent randomness: init, window sampling', cliSeed, 0)
    .option('--segment-steps <n>', 'updates between validation + checkpoint', cliInt('--segment-steps'), 500)
    .option('--val-windows <n>', 'held-out windows per source for validation', cliInt('--val-windows'), 24)
    .option('--weights <list>', 'source mixing weights, e.g. aclimdb=0.5,nltk-general=2 (others: share of tokens)', parseWeights)
    .option('--max-minutes <x>', 'stop after the segment that passes this many minutes (checkpointed; --resume continues)', cliFloat('--max-minutes'))
    .option('--resume', 'continue the run in --work after a kill or --max-minutes stop')
    .option('--workers <n|auto>', 'data-parallel worker threads besides the main one (auto: by model size, batch and backend; the shipped xrec-base ran on one)', cliWorkers, 'auto' as const)
    .option('--export-to <dir>', "write the model of the run's latest checkpoint in --work to DIR (HF layout) and exit")
    .option('--json', 'print the summary as one JSON object on stdout')
    .addHelpText(
      'after',
      `
Examples:
  # the shipped xrec-base (about 90 min on 2 cores with the native kernels)
  xrec pretrain --out models/xrec-base --work .xrec-work/xrec-base
  # the shipped xrec-base-mlm: a masked-LM encoder with xrec-base's tokenizer (+ <mask>)
  xrec pretrain --objective mlm --tokenizer models/xrec-base/tokenizer.json --position-bias alibi --tokens 40000000 --batch 32 --lr 1e-3 --min-lr 1e-4 --warmup 500 --out models/xrec-base-mlm --work .xrec-work/xrec-base-mlm
  # continue it after a kill
  xrec pretrain --out models/xrec-base --work .xrec-work/xrec-base --resume
  # a 2-minute smoke run
  xrec pretrain --out /tmp/tiny --tokens 200000 --d-model 64 --layers 2 --vocab 2048 --segment-steps 50`,
    )
    .action(async (o: PretrainFlags, cmd: Command) => {
      const dataDir = resolveDataDir((cmd.parent?.opts() as { dataDir?: string } | undefined)?.dataDir).path;
      const out = resolve(o.out);
      const c: PretrainConfig = {
        objective: o.objective,
        ...(o.tokenizer !== undefined ? { tokenizer: resolve(o.tokenizer) } : {}),
        corpus: resolve(o.corpus ?? join(dataDir, 'pretrain-corpus')),
        out,
        work: resolve(o.work ?? `${out}.work`),
        tokens: o.tokens,
        vocab: o.vocab,
        dModel: o.dModel,
        layers: o.layers,
        heads: o.heads,
        positionBias: o.positionBias,
        seq: o.seq,
        batch: o.batch,
        lr: o.lr,
        minLr: o.minLr,
        warmup: o.warmup,
        weightDecay: o.weightDecay,
        clip: o.clip,
        seed: o.seed,
        segmentSteps: o.segmentSteps,
        valWindows: o.valWindows,
        valEvery: 100,
        weights: o.weights ?? {},
        resume: Boolean(o.resume),
        workers: o.workers,
        ...(o.maxMinutes !== undefined ? { maxMinutes: o.maxMinutes } : {}),
      };
      if (o.positionBias !== 'none' && o.objective !== 'mlm') throw new ConfigError(`--position-bias ${o.positionBias} applies to --objective mlm only (a bidirectional encoder)`);
      if (o.dModel % o.heads !== 0) throw new ConfigError(`--d-model ${o.dModel} is not a multiple of --heads ${o.heads}`);
      if (o.exportTo !== undefined) {
        await exportCheckpoint(c, resolve(o.exportTo), terminalProgress());
        return;
      }
      const summary = await runPretrain(c, terminalProgress());
      if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else process.stderr.write(`pretrain: ${summary.complete ? `done, model in ${out}` : `stopped at step ${summary.steps}/${summary.totalSteps}; continue with --resume`}\n`);
    });
}
