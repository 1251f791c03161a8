/**
 * `xrec bench speed`: training throughput of a TransformerLM on random tokens with the shared trainer
 * (forward, backward, global-norm clipping, AdamW, loss read back — one update per step).
 *
 * tokens/s = batch · seq / median(step time) over `--steps` timed steps after `--warmup` untimed ones.
 * `--torch` also runs the PyTorch reference (apps/bench/scripts/torch_speed.py, same model, same step,
 * same timing) in the same run and reports the ratio xrec / PyTorch.
 */
import type { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { BackendError, NotFoundError, Rng, XREC_VERSION } from '@xrec/core';
import { autoWorkers, initBackend, lmDataParallel, lmLoss, train, TransformerLM, type Arch, type LmBatch } from '@xrec/transformer';
import { cliArch, cliFloat, cliInt, cliSeed, cliWorkers } from '../args.js';
import { configFromModelFlags } from './train.js';
import { benchGroup } from './bench-group.js';

interface BenchSpeedOptions {
  arch: Arch;
  vocab: number;
  dModel: number;
  heads: number;
  kvHeads?: number;
  layers: number;
  dFf?: number;
  seq: number;
  batch: number;
  steps: number;
  warmup: number;
  dropout: number;
  lr: number;
  seed: number;
  backend?: string;
  json?: boolean;
  torch?: boolean;
  torchThreads?: number;
  python?: string;
  repeat: number;
  workers: number | 'auto';
}

export interface SpeedResult {
  readonly impl: string;
  readonly backend: string;
  readonly tokens_per_s: number;
  readonly step_ms_median: number;
  readonly step_ms: number[];
  readonly [k: string]: unknown;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Where the PyTorch reference script lives in the repository (apps/bench/scripts). */
export function torchScriptPath(): string {
  // dist/commands/bench-speed.js or src/commands/bench-speed.ts -> apps/bench/scripts/torch_speed.py
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'scripts', 'torch_speed.py');
}

/** Run the xrec side of the benchmark. */
export async function benchSpeedXrec(o: BenchSpeedOptions): Promise<SpeedResult> {
  const report = await initBackend(o.backend ? { force: o.backend } : {});
  const config = configFromModelFlags(o, o.vocab, o.seq);
  const model = TransformerLM.create(config, new Rng(o.seed).fork('init'));
  const rng = new Rng(o.seed).fork('tokens');
  const total = o.warmup + o.steps;
  const batches: LmBatch[] = Array.from({ length: total }, () => {
    const ids = new Int32Array(o.batch * (o.seq + 1));
    for (let i = 0; i < ids.length; i++) ids[i] = rng.int(0, o.vocab - 1);
    return { size: o.batch, tokens: o.batch * o.seq, ids, seq: o.seq };
  });
  const workers = o.workers === 'auto' ? autoWorkers({ parameters: model.numParameters(), batchRows: o.batch, tokensPerStep: o.batch * o.seq, native: report.native.active }) : o.workers;
  const stepMs: number[] = [];
  const stepCpuMs: number[] = [];
  const exchangeMs: number[] = [];
  const losses: number[] = [];
  const tensorsBefore = tf.memory().numTensors;
  let tensorsAfterWarmup = 0;
  try {
    await train<LmBatch>({
      variables: model.trainableVariables(),
      lossFn: (b, training, ctx) => lmLoss(model, b, training, ctx.seed),
      trainBatches: () => batches,
      ...(workers > 0 ? { parallel: lmDataParallel(config, workers) } : {}),
      config: { epochs: 1, lr: o.lr, schedule: 'constant', warmupSteps: 0, clipNorm: 1, weightDecay: 0.01, seed: o.seed },
      onStep: (s) => {
        losses.push(s.loss);
        if (s.step === o.warmup - 1) tensorsAfterWarmup = tf.memory().numTensors;
        if (s.step >= o.warmup) {
          stepMs.push(s.seconds * 1000);
          stepCpuMs.push(s.cpuSeconds * 1000);
          if (s.exchangeSeconds !== undefined) exchangeMs.push(s.exchangeSeconds * 1000);
        }
      },
    });
    const med = median(stepMs);
    return {
      impl: 'xrec',
      backend: report.choice,
      tf_backend: report.tfBackend,
      tokens_per_s: (o.batch * o.seq) / (med / 1000),
      step_ms_median: med,
      step_ms: stepMs,
      tokens_per_cpu_s: (o.batch * o.seq) / (median(stepCpuMs) / 1000),
      step_cpu_ms: stepCpuMs,
      replicas: workers + 1,
      ...(exchangeMs.length ? { exchange_ms_median: median(exchangeMs) } : {}),
      loss_first: losses[0],
      loss_last: losses[losses.length - 1],
      num_tensors: { before: tensorsBefore, after_warmup: tensorsAfterWarmup, after: tf.memory().numTensors },
      config: {
        arch: o.arch, vocab: o.vocab, d_model: config.dModel, heads: config.nHeads, kv_heads: config.nKvHeads, layers: config.nLayers,
        d_ff: config.dFF, context: config.contextLength, seq: o.seq, batch: o.batch, steps: o.steps, warmup: o.warmup,
        dropout: config.dropout, lr: o.lr, seed: o.seed, clip_norm: 1, weight_decay: 0.01,
      },
      parameters: model.numParameters(),
      machine: {
        xrec: XREC_VERSION, node: process.version, tfjs: report.tfjsVersion, platform: `${platform()} ${release()}`,
        cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length, memory_gb: Math.round(totalmem() / 2 ** 30),
      },
    };
  } finally {
    model.dispose();
  }
}

/**
 * The Python interpreter for the reference: `--python`, else `$XREC_PYTHON`, else the first of `python3`
 * and `/usr/bin/python3` (Debian's, where `python3-torch` installs) that imports torch.
 */
export function findTorchPython(explicit?: string): string {
  if (explicit) return explicit;
  const env = process.env.XREC_PYTHON;
  if (env) return env;
  const candidates = ['python3', '/usr/bin/python3'];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return py;
  }
  throw new NotFoundError(`bench speed --torch: no Python with torch found (tried ${candidates.join(', ')}); install python3-torch or pass --python`);
}

/** Run the PyTorch reference with the same configuration; returns its JSON. */
export function benchSpeedTorch(o: BenchSpeedOptions, resolved: Record<string, unknown>): SpeedResult {
  const script = torchScriptPath();
  const python = findTorchPython(o.python);
  if (!existsSync(script)) throw new NotFoundError(`bench speed --torch: reference script not found at ${script}`);
  const args = [
    script, '--arch', o.arch, '--vocab', String(o.vocab), '--d-model', String(o.dModel), '--heads', String(o.heads),
    '--kv-heads', String(resolved.kv_heads), '--layers', String(o.layers), '--d-ff', String(resolved.d_ff),
    '--context', String(resolved.context), '--seq', String(o.seq), '--batch', String(o.batch), '--steps', String(o.steps),
    '--warmup', String(o.warmup), '--dropout', String(o.dropout), '--lr', String(o.lr), '--seed', String(o.seed),
    ...(o.torchThreads !== undefined ? ['--threads', String(o.torchThreads)] : []),
  ];
  const r = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 });
  if (r.error || r.status !== 0) {
    throw new BackendError(`bench speed --torch: '${python} ${script}' failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  }
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as SpeedResult;
  } catch (e) {
    throw new BackendError(`bench speed --torch: the reference printed no JSON: ${line.slice(0, 200)}`, { cause: e });
  }
}

export function registerBenchSpeed(program: Command): void {
  const bench = benchGroup(program);
  bench
    .command('speed')
    .description('training throughput (tokens/s) of a TransformerLM on random tokens; --torch compares with PyTorch in the same run')
    .option('--arch <arch>', 'gpt2 or llama', cliArch, 'gpt2' as Arch)
    .option('--vocab <n>', 'vocabulary size', cliInt('--vocab'), 8000)
    .option('--d-model <n>', 'model width', cliInt('--d-model'), 128)
    .option('--heads <n>', 'attention heads', cliInt('--heads'), 4)
    .option('--kv-heads <n>', 'key/value heads (llama)', cliInt('--kv-heads'))
    .option('--layers <n>', 'transformer blocks', cliInt('--layers'), 2)
    .option('--d-ff <n>', 'MLP width (default: architecture rule)', cliInt('--d-ff'))
    .option('--seq <n>', 'tokens per sequence', cliInt('--seq'), 64)
    .option('--batch <n>', 'sequences per step', cliInt('--batch'), 16)
    .option('--steps <n>', 'timed steps', cliInt('--steps'), 8)
    .option('--warmup <n>', 'untimed steps before timing', cliInt('--warmup', 0), 2)
    .option('--dropout <p>', 'dropout probability', cliFloat('--dropout'), 0)
    .option('--lr <x>', 'learning rate', cliFloat('--lr'), 3e-4)
    .option('--seed <n>', 'seed for init and tokens', cliSeed, 0)
    .option('--backend <name>', 'force a tfjs backend: node, wasm or cpu')
    .option('--torch', 'also run the PyTorch reference (python3 + torch) and report the ratio')
    .option('--torch-threads <n>', 'torch.set_num_threads for the reference (default: torch default)', cliInt('--torch-threads'))
    .option('--python <exe>', 'python interpreter for --torch (default: $XREC_PYTHON, else python3 or /usr/bin/python3 with torch)')
    .option('--repeat <n>', 'repeat the measurement (xrec then PyTorch) n times; report medians', cliInt('--repeat'), 1)
    .option('--workers <n|auto>', 'data-parallel worker threads besides the main one (auto: by model size and batch, see autoWorkers)', cliWorkers, 'auto' as const)
    .option('--json', 'print one JSON object')
    .action(async (o: BenchSpeedOptions) => {
      // Each repeat times xrec, then (with --torch) PyTorch, back to back; on a shared machine the
      // median over repeats of each side and of the per-repeat ratios is the robust number.
      const xs: SpeedResult[] = [];
      const ts: SpeedResult[] = [];
      for (let r = 0; r < o.repeat; r++) {
        xs.push(await benchSpeedXrec(o));
        if (o.torch) ts.push(benchSpeedTorch(o, xs[r]!.config as Record<string, unknown>));
      }
      const x = xs[0]!;
      const xTps = median(xs.map((e) => e.tokens_per_s));
      const cpuTps = (e: SpeedResult) => e.tokens_per_cpu_s as number;
      let out: Record<string, unknown> = { ...x, tokens_per_s: xTps, step_ms_median: ((o.batch * o.seq) / xTps) * 1000, tokens_per_cpu_s: median(xs.map(cpuTps)), ...(o.repeat > 1 ? { repeats: o.repeat, tokens_per_s_runs: xs.map((e) => e.tokens_per_s), step_ms_runs: xs.map((e) => e.step_ms) } : {}) };
      if (o.torch) {
        const tTps = median(ts.map((e) => e.tokens_per_s));
        const ratios = xs.map((e, i) => e.tokens_per_s / ts[i]!.tokens_per_s);
        out = {
          ...out,
          torch: { ...ts[0]!, tokens_per_s: tTps, step_ms_median: ((o.batch * o.seq) / tTps) * 1000, tokens_per_cpu_s: median(ts.map(cpuTps)), ...(o.repeat > 1 ? { tokens_per_s_runs: ts.map((e) => e.tokens_per_s), step_ms_runs: ts.map((e) => e.step_ms) } : {}) },
          ratio_vs_torch: median(ratios),
          ratio_vs_torch_cpu: median(xs.map((e, i) => cpuTps(e) / cpuTps(ts[i]!))),
          ...(o.repeat > 1 ? { ratio_runs: ratios } : {}),
        };
      }
      if (o.json) {
        process.stdout.write(`${JSON.stringify(out)}\n`);
        return;
      }
      const lines = [
        `xrec ${o.arch} on ${x.backend}, ${String(x.replicas)} replica${x.replicas === 1 ? '' : 's'}: ${Math.round(xTps)} tokens/s (median step over ${o.steps} steps after ${o.warmup} warm-up${o.repeat > 1 ? `; median of ${o.repeat} repeats` : ''})${x.exchange_ms_median !== undefined ? `; exchange ${(x.exchange_ms_median as number).toFixed(1)} ms/step` : ''}`,
      ];
      if (out.torch) {
        const t = out.torch as SpeedResult;
        lines.push(`pytorch (${String((t.machine as { threads?: number } | undefined)?.threads)} threads): ${Math.round(t.tokens_per_s)} tokens/s`);
        lines.push(`ratio xrec / pytorch: ${(out.ratio_vs_torch as number).toFixed(3)} (wall time), ${(out.ratio_vs_torch_cpu as number).toFixed(3)} (CPU time)`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
