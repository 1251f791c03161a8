/**
 * The training loop shared by every method package: AdamW (decoupled weight decay, Loshchilov & Hutter
 * 2019), global-norm gradient clipping, warm-up + constant/linear/cosine decay, validation each epoch,
 * early stopping (on the validation loss or a validation metric) that restores the best weights, an atomic
 * checkpoint after each epoch and exact resume. Parameter groups and several objectives per step are in
 * train-updater.ts, data-parallel updates in parallel/, sequential stages in train-stages.ts.
 *
 * One update (everything inside one `tf.tidy`, no tensors survive it except the variables):
 *
 *   loss, g = ∇_θ lossFn(batch)          (tf.variableGrads over the named trainable set)
 *   g ← clip(g, clipNorm)                 (global L2 norm)
 *   θ ← AdamW(θ, g, lr(step))             (schedule.ts; optimizer state by variable name)
 *
 * Determinism: the trainer's RNG (seeded by `config.seed`) is passed to `trainBatches(epoch, rng)` for
 * shuffling, and each update gets `ctx.seed`, a function of (seed, step) only, for dropout. The RNG state
 * is checkpointed, so a run killed after epoch k and resumed reproduces the uninterrupted run.
 *
 * Each call builds a fresh optimizer over the variable map it is given: a later stage with a different
 * trainable set never inherits slots of the wrong variables (tfjs's own optimizers keep slots by position).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir } from 'node:fs/promises';
import { ConfigError, DataError, hashString, Rng, silentProgress, StateError, type Progress } from '@xrec/core';
import { backendReport } from './backend.js';
import type { DecayFilter } from './optim.js';
import { ReplicaPool } from './parallel/pool.js';
import { parallelStep } from './parallel/update.js';
import { learningRateAt, type LrScheduleConfig } from './schedule.js';
import { checkCheckpointVariables, hasTrainCheckpoint, loadTrainCheckpoint, saveTrainCheckpoint, type EpochLog, type TrainState } from './train-checkpoint.js';
import { JsonlLog } from './train-log.js';
import { Updater, type ParamGroup, type UpdateRule } from './train-updater.js';
import { configChanges, resolveTrainerConfig, RESUMABLE_CHANGES, type TrainerConfig } from './trainer-config.js';
import type { DataParallel, StepContext, TrainBatch } from './train-types.js';

export type { EpochLog } from './train-checkpoint.js';
export type { StepContext, TrainBatch } from './train-types.js';
export type { ParamGroup, UpdateRule } from './train-updater.js';
export { configChanges, DEFAULT_TRAINER_CONFIG, resolveTrainerConfig, type TrainerConfig } from './trainer-config.js';

/** One update, reported to `onStep` (benchmarks use it for per-step timings). */
export interface StepReport {
  readonly epoch: number;
  readonly step: number;
  readonly loss: number;
  readonly gradNorm: number;
  readonly lr: number;
  readonly tokens: number;
  /** Wall time of the update, including reading the loss back. */
  readonly seconds: number;
  /** CPU time of this process during the update (all threads; less sensitive to other load than wall time). */
  readonly cpuSeconds: number;
  /**
   * Data-parallel runs: seconds of the update spent on the exchange — publishing weights, waiting for the
   * workers after the trainer's own shard, and summing their gradients.
   */
  readonly exchangeSeconds?: number;
  /** With several update rules: the last loss of each rule at this step. */
  readonly losses?: Readonly<Record<string, number>>;
}

export interface TrainResult {
  /** Logs of every epoch of the run (including epochs done before a resume). */
  readonly epochs: EpochLog[];
  /** Epoch (0-based) with the best validation loss (or metric); undefined without validation. */
  readonly bestEpoch: number | undefined;
  readonly bestValLoss: number | undefined;
  /** With `valMetric`: its best value. */
  readonly bestMetric?: number;
  readonly stoppedEarly: boolean;
  /** Training throughput over the updates run by this call (tokens, or examples when batches carry no token count). */
  readonly tokensPerSecond: number;
  /** Whether the best-validation weights were put back at the end. */
  readonly restoredBest: boolean;
  /** Total optimizer updates (global). */
  readonly steps: number;
  /** The epoch this call started at (> 0 after a resume). */
  readonly startEpoch: number;
}

/** A validation metric for early stopping (e.g. BLEU of generated text), computed after each epoch. */
export interface ValMetric {
  readonly name: string;
  /** Whether larger values are better. */
  readonly mode: 'min' | 'max';
  compute(e: { epoch: number; step: number }): number | Promise<number>;
}

export interface TrainOptions<B extends TrainBatch> {
  /** The named trainable set (may differ per stage; every variable must be trainable and float32). */
  variables: ReadonlyMap<string, tf.Variable>;
  /** Mean loss of a batch; called inside tf.tidy / tf.variableGrads. Create batch tensors here. */
  lossFn: (batch: B, training: boolean, ctx: StepContext) => tf.Scalar;
  /** Batches of one epoch, shuffled with `rng` (materialised once per epoch: keep them light, e.g. id arrays). */
  trainBatches: (epoch: number, rng: Rng) => Iterable<B>;
  valBatches?: () => Iterable<B>;
  config: Partial<TrainerConfig>;
  progress?: Progress;
  label?: string;
  /** Which variables get weight decay (default: weight matrices; not biases, norms, embeddings). */
  decayFilter?: DecayFilter;
  /** Parameter groups with their own learning rate and weight decay. */
  groups?: readonly ParamGroup[];
  /** Several objectives, each over its own variables, updated in order every step (default: `lossFn` over all). */
  updates?: readonly UpdateRule<B>[];
  /** Early stopping and best-weight tracking on this metric instead of the validation loss. */
  valMetric?: ValMetric;
  onEpochEnd?: (e: { epoch: number; trainLoss: number; valLoss?: number; metric?: number }) => void | Promise<void>;
  onStep?: (s: StepReport) => void;
  /** Data-parallel training over worker threads (see {@link DataParallel}); absent or 0 workers: one thread. */
  parallel?: DataParallel<B>;
  /**
   * The caller's settings that define the run besides the trainer config (data files, batch size, sequence
   * length, model shape...): saved in the checkpoint and compared on resume, like the trainer config.
   */
  run?: Record<string, unknown>;
  /** Resume even when the trainer config or `run` changed since the checkpoint (the changes are logged). */
  forceConfig?: boolean;
}

/** A seed from (base seed, step, phase) only. */
function stepSeed(seed: number, step: number, phase: string): number {
  return (hashString(`${seed}:${phase}:${step}`) & 0x7fffffff) >>> 0;
}

function tokensOf(b: TrainBatch): number {
  return b.tokens ?? b.size;
}

/** Mean validation loss, weighted by tokens (else batch size). */
async function evaluate<B extends TrainBatch>(lossFn: TrainOptions<B>['lossFn'], batches: Iterable<B>, epoch: number, step: number, seed: number): Promise<number | undefined> {
  let sum = 0;
  let weight = 0;
  for (const b of batches) {
    const ctx: StepContext = { epoch, step, seed: stepSeed(seed, step, 'val') };
    const l = tf.tidy(() => lossFn(b, false, ctx));
    const v = (await l.data())[0]!;
    l.dispose();
    const w = tokensOf(b);
    sum += v * w;
    weight += w;
  }
  return weight > 0 ? sum / weight : undefined;
}

function checkVariables(variables: ReadonlyMap<string, tf.Variable>): void {
  if (variables.size === 0) throw new ConfigError('train: the variable map is empty (nothing to train)');
  const tfNames = new Map<string, string>();
  for (const [name, v] of variables) {
    if (!(v instanceof tf.Variable)) throw new ConfigError(`train: '${name}' is not a tf.Variable`);
    if (!v.trainable) throw new ConfigError(`train: variable '${name}' is not trainable (setTrainable it, or leave it out of the map)`);
    if (v.dtype !== 'float32') throw new ConfigError(`train: variable '${name}' has dtype ${v.dtype}, expected float32`);
    if (tfNames.has(v.name)) throw new ConfigError(`train: variable '${name}' appears twice in the map (also as '${tfNames.get(v.name)}')`);
    tfNames.set(v.name, name);
  }
}

/** Where a run stands: everything a checkpoint restores. */
interface RunState {
  rng: Rng;
  startEpoch: number;
  step: number;
  totalSteps: number | undefined;
  bestValLoss: number | undefined;
  bestMetric: number | undefined;
  bestEpoch: number | undefined;
  patienceCounter: number;
  stoppedEarly: boolean;
  bestFile: string | null;
  epochLogs: EpochLog[];
  best: Map<string, tf.Tensor> | undefined;
}

/** Restore a run from `config.checkpointDir` (when resuming and one is there), else a fresh state. */
async function restoreRun<B extends TrainBatch>(
  opts: TrainOptions<B>,
  config: TrainerConfig,
  variables: ReadonlyMap<string, tf.Variable>,
  updater: Updater<B>,
  log: JsonlLog,
  progress: Progress,
  label: string,
): Promise<RunState> {
  const fresh: RunState = {
    rng: new Rng(config.seed), startEpoch: 0, step: 0, totalSteps: config.totalSteps, bestValLoss: undefined, bestMetric: undefined, bestEpoch: undefined,
    patienceCounter: 0, stoppedEarly: false, bestFile: null, epochLogs: [], best: undefined,
  };
  if (config.checkpointDir) await mkdir(config.checkpointDir, { recursive: true });
  if (!(config.resume && config.checkpointDir && hasTrainCheckpoint(config.checkpointDir))) {
    if (config.resume) progress.log(`${label}: no checkpoint in ${config.checkpointDir}; starting fresh`);
    log.truncateAfter(-1); // a run killed before its first checkpoint left step records: this run rewrites them
    return fresh;
  }
  const dir = config.checkpointDir;
  const ck = await loadTrainCheckpoint(dir);
  const s = ck.state;
  checkCheckpointVariables(dir, s, variables);
  if (typeof s.config.seed === 'number' && s.config.seed !== config.seed) {
    throw new ConfigError(`train: resume from ${dir}: the checkpoint was trained with seed ${s.config.seed}, this run has seed ${config.seed}`);
  }
  const changes = [...configChanges(s.config, { ...config } as Record<string, unknown>, RESUMABLE_CHANGES), ...(s.run !== undefined ? configChanges(s.run, opts.run ?? {}) : [])];
  if (changes.length > 0 && !opts.forceConfig) {
    throw new ConfigError(`train: resume from ${dir}: the configuration changed since the checkpoint: ${changes.join(', ')} (rerun with the original settings, or force the new ones with --force-config / forceConfig)`);
  }
  if (changes.length > 0) progress.log(`${label}: resuming with changed settings (forced): ${changes.join(', ')}`);
  tf.tidy(() => {
    for (const [name, v] of variables) v.assign(tf.tensor(ck.params.get(name)!, v.shape, 'float32'));
  });
  updater.restore(s.optimizerSteps ?? s.step, ck.slots, `train: resume from ${dir}`);
  let totalSteps = s.totalSteps;
  const savedEpochs = s.config.epochs;
  if (config.totalSteps === undefined && typeof savedEpochs === 'number' && savedEpochs !== config.epochs) {
    // The run was extended or shortened: stretch the schedule to the new number of epochs.
    totalSteps = Math.max(1, Math.round((s.totalSteps / savedEpochs) * config.epochs));
    progress.log(`${label}: epochs changed from ${savedEpochs} to ${config.epochs}; the schedule now spans ${totalSteps} updates`);
  }
  log.truncateAfter(s.step);
  progress.log(`${label}: resumed from ${dir} after epoch ${s.epoch + 1} (step ${s.step})`);
  return {
    rng: Rng.fromState(s.rng), startEpoch: s.epoch + 1, step: s.step, totalSteps, bestValLoss: s.bestValLoss ?? undefined, bestMetric: s.bestMetric ?? undefined,
    bestEpoch: s.bestEpoch ?? undefined, patienceCounter: s.patienceCounter, stoppedEarly: s.stoppedEarly, bestFile: s.bestFile, epochLogs: [...s.epochs],
    best: ck.best ? new Map([...variables].map(([n, v]) => [n, tf.tensor(ck.best!.get(n)!, v.shape, 'float32')])) : undefined,
  };
}

/**
 * Train `variables` to minimise `lossFn` (or the `updates` objectives). See the file header for the
 * algorithm and the transformer README for the contract.
 */
export async function train<B extends TrainBatch>(opts: TrainOptions<B>): Promise<TrainResult> {
  const config = resolveTrainerConfig(opts.config);
  const progress = opts.progress ?? silentProgress;
  const label = opts.label ?? 'train';
  const variables = new Map(opts.variables);
  checkVariables(variables);
  const varList = [...variables.values()];
  const slotOf = new Map([...variables.keys()].map((n, i) => [n, i]));
  const updater = new Updater<B>(variables, config, {
    lossFn: opts.lossFn,
    ...(opts.updates ? { updates: opts.updates } : {}),
    ...(opts.groups ? { groups: opts.groups } : {}),
    ...(opts.decayFilter ? { decayFilter: opts.decayFilter } : {}),
  });
  const log = new JsonlLog(config.logFile);
  const metric = opts.valMetric;
  const trackBest = opts.valBatches !== undefined || metric !== undefined;
  const restoreAtEnd = trackBest && config.patience !== undefined;
  let pool: ReplicaPool | undefined;
  let run: RunState | undefined;
  const disposeBest = () => {
    if (run?.best) for (const t of run.best.values()) t.dispose();
    if (run) run.best = undefined;
  };

  try {
    run = await restoreRun(opts, config, variables, updater, log, progress, label);
    const st = run;
    const workers = opts.parallel?.workers ?? 0;
    if (workers > 0) {
      pool = await ReplicaPool.start(opts.parallel!.replica, workers, variables, backendReport()?.choice ?? tf.getBackend());
      progress.log(`${label}: data-parallel over ${workers + 1} replicas (${workers} worker thread${workers > 1 ? 's' : ''})`);
    }
    let runTokens = 0;
    let runSeconds = 0;
    for (let epoch = st.startEpoch; epoch < config.epochs && !st.stoppedEarly; epoch++) {
      const batches = Array.from(opts.trainBatches(epoch, st.rng));
      if (batches.length === 0) throw new ConfigError(`train: trainBatches(${epoch}) yielded no batches`);
      batches.forEach((b, i) => {
        if (!Number.isInteger(b.size) || b.size <= 0 || (b.tokens !== undefined && !(Number.isFinite(b.tokens) && b.tokens > 0))) {
          throw new DataError(`train: batch ${i} of epoch ${epoch + 1} has size ${b.size}${b.tokens !== undefined ? ` and tokens ${b.tokens}` : ''}; both must be positive`);
        }
      });
      st.totalSteps ??= batches.length * config.epochs;
      const schedule: LrScheduleConfig = { kind: config.schedule, lr: config.lr, warmupSteps: config.warmupSteps, totalSteps: st.totalSteps, minLr: config.minLr };
      const task = progress.start(`${label} epoch ${epoch + 1}/${config.epochs}`, batches.length);
      let lossSum = 0;
      let lossWeight = 0;
      let epochTokens = 0;
      let epochSeconds = 0;
      let lr = learningRateAt(schedule, st.step);
      for (const batch of batches) {
        lr = learningRateAt(schedule, st.step);
        const ctx: StepContext = { epoch, step: st.step, seed: stepSeed(config.seed, st.step, 'train') };
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        let r: { loss: number; gradNorm: number; losses?: Record<string, number>; exchangeSeconds?: number };
        if (pool) {
          r = await parallelStep(pool, opts.parallel!, updater, batch, ctx, { lr, clipNorm: config.clipNorm, seed: config.seed, all: varList, slotOf });
          const every = opts.parallel!.verifyEvery;
          if (every && (st.step + 1) % every === 0) await pool.verify(varList);
        } else {
          r = await updater.step(batch, ctx, lr, config.clipNorm);
        }
        const seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        if (!Number.isFinite(r.loss)) throw new StateError(`train: loss is ${r.loss} at epoch ${epoch + 1}, step ${st.step} (lr ${lr}); lower the learning rate or check the data`);
        const tokens = tokensOf(batch);
        lossSum += r.loss * tokens;
        lossWeight += tokens;
        epochTokens += tokens;
        epochSeconds += seconds;
        st.step += 1;
        const tps = epochSeconds > 0 ? epochTokens / epochSeconds : 0;
        opts.onStep?.({
          epoch, step: st.step - 1, loss: r.loss, gradNorm: r.gradNorm, lr, tokens, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6,
          ...(r.exchangeSeconds !== undefined ? { exchangeSeconds: r.exchangeSeconds } : {}),
          ...(r.losses && updater.rules.length > 1 ? { losses: r.losses } : {}),
        });
        task.tick(1, { loss: round(r.loss, 4), lr: lr.toExponential(2), 'tok/s': Math.round(tps) });
        if (st.step % (config.logEvery ?? 10) === 0) log.write({ type: 'step', epoch, step: st.step, loss: r.loss, lr, tokens_per_s: tps, grad_norm: r.gradNorm, ...(r.losses && updater.rules.length > 1 ? { losses: r.losses } : {}) });
      }
      runTokens += epochTokens;
      runSeconds += epochSeconds;
      const trainLoss = lossSum / lossWeight;
      const valLoss = opts.valBatches ? await evaluate(opts.lossFn, opts.valBatches(), epoch, st.step, config.seed) : undefined;
      const value = metric ? await metric.compute({ epoch, step: st.step }) : undefined;
      let improved = false;
      const score = metric ? value : valLoss;
      if (trackBest && score !== undefined) {
        const best = metric ? st.bestMetric : st.bestValLoss;
        const better = best === undefined || (metric?.mode === 'max' ? score > best : score < best);
        if (better) {
          if (metric) st.bestMetric = score;
          else st.bestValLoss = score;
          if (metric && valLoss !== undefined) st.bestValLoss = valLoss;
          st.bestEpoch = epoch;
          st.patienceCounter = 0;
          improved = true;
          if (restoreAtEnd) {
            // Early stopping will put these back: keep a copy (and checkpoint it).
            disposeBest();
            st.best = new Map([...variables].map(([n, v]) => [n, tf.clone(v)]));
          }
        } else {
          st.patienceCounter += 1;
          if (config.patience !== undefined && st.patienceCounter >= config.patience) st.stoppedEarly = true;
        }
      }
      const tokensPerSecond = epochSeconds > 0 ? epochTokens / epochSeconds : 0;
      const entry: EpochLog = { epoch, trainLoss, ...(valLoss !== undefined ? { valLoss } : {}), ...(value !== undefined ? { metric: value } : {}), step: st.step, lr, tokens: epochTokens, seconds: epochSeconds, tokensPerSecond };
      st.epochLogs.push(entry);
      task.finish({ loss: round(trainLoss, 4), ...(valLoss !== undefined ? { val: round(valLoss, 4) } : {}), ...(value !== undefined ? { [metric!.name]: round(value, 4) } : {}), 'tok/s': Math.round(tokensPerSecond) });
      log.write({ type: 'epoch', epoch, step: st.step, loss: trainLoss, lr, tokens_per_s: tokensPerSecond, val_loss: valLoss ?? null, ...(value !== undefined ? { [metric!.name]: value } : {}), ...(st.stoppedEarly ? { stopped_early: true } : {}) });
      if (config.checkpointDir) await checkpoint(config, opts, variables, updater, st, improved, epoch);
      await opts.onEpochEnd?.({ epoch, trainLoss, ...(valLoss !== undefined ? { valLoss } : {}), ...(value !== undefined ? { metric: value } : {}) });
      if (st.stoppedEarly) {
        progress.log(`${label}: early stop after epoch ${epoch + 1}: no improvement for ${st.patienceCounter} epochs (best ${metric ? `${metric.name} ${st.bestMetric}` : st.bestValLoss} at epoch ${st.bestEpoch! + 1})`);
      }
    }
    let restoredBest = false;
    if (restoreAtEnd && st.best) {
      const b = st.best;
      tf.tidy(() => {
        for (const [name, v] of variables) v.assign(b.get(name)!);
      });
      restoredBest = true;
    }
    return {
      epochs: st.epochLogs, bestEpoch: st.bestEpoch, bestValLoss: st.bestValLoss, ...(st.bestMetric !== undefined ? { bestMetric: st.bestMetric } : {}),
      stoppedEarly: st.stoppedEarly, tokensPerSecond: runSeconds > 0 ? runTokens / runSeconds : 0, restoredBest, steps: st.step, startEpoch: st.startEpoch,
    };
  } finally {
    disposeBest();
    updater.dispose();
    await pool?.close();
  }
}

/** Write the epoch's checkpoint (weights, every rule's optimizer state, best weights when they changed). */
async function checkpoint<B extends TrainBatch>(config: TrainerConfig, opts: TrainOptions<B>, variables: ReadonlyMap<string, tf.Variable>, updater: Updater<B>, st: RunState, improved: boolean, epoch: number): Promise<void> {
  const saved: TrainState = await saveTrainCheckpoint(config.checkpointDir!, {
    variables,
    slots: await updater.slots(),
    ...(st.best ? { best: st.best } : {}),
    writeBest: improved,
    previousBestFile: st.bestFile,
    state: {
      epoch, step: st.step, totalSteps: st.totalSteps!, rng: st.rng.getState(), bestValLoss: st.bestValLoss ?? null, bestEpoch: st.bestEpoch ?? null,
      ...(st.bestMetric !== undefined ? { bestMetric: st.bestMetric } : {}),
      patienceCounter: st.patienceCounter, stoppedEarly: st.stoppedEarly, epochs: st.epochLogs, config: { ...config },
      ...(updater.rules.length > 1 ? { optimizerSteps: updater.optimizerSteps() } : {}),
      ...(opts.run ? { run: opts.run } : {}),
    },
  });
  st.bestFile = saved.bestFile;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
