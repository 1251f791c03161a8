/**
 * The training loop shared by every method package: AdamW (decoupled weight decay, Loshchilov & Hutter
 * 2019), global-norm gradient clipping, warm-up + constant/linear/cosine decay, validation each epoch,
 * early stopping that restores the best weights, an atomic checkpoint after each epoch and exact resume.
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
 * trainable set never inherits slots of the wrong variables (tfjs keeps slots by position; see
 * STACK-NOTES).
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import {
  ConfigError,
  DataError,
  hashString,
  Rng,
  silentProgress,
  StateError,
  writeFileAtomicSync,
  type Progress,
} from '@xrec/core';
import { AdamW, clipCoefficient, defaultDecayFilter, globalNorm, type DecayFilter } from './optim.js';
import type { DataParallel, StepContext, TrainBatch } from './train-types.js';
import { ReplicaPool } from './parallel/pool.js';
import { backendReport } from './backend.js';
import { learningRateAt, validateLrSchedule, type LrScheduleConfig, type ScheduleKind } from './schedule.js';
import {
  checkCheckpointVariables,
  hasTrainCheckpoint,
  loadTrainCheckpoint,
  saveTrainCheckpoint,
  type EpochLog,
  type TrainState,
} from './train-checkpoint.js';

export type { EpochLog } from './train-checkpoint.js';
export type { StepContext, TrainBatch } from './train-types.js';

export interface TrainerConfig {
  readonly epochs: number;
  /** Peak learning rate. */
  readonly lr: number;
  /** AdamW's decoupled weight decay λ (applied where the decay filter allows). */
  readonly weightDecay: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  /** Maximum global gradient norm; 0 disables clipping. */
  readonly clipNorm: number;
  readonly warmupSteps: number;
  readonly schedule: ScheduleKind;
  /** Final learning rate of linear/cosine decay (default 0). */
  readonly minLr?: number;
  /** Total updates for the schedule; default: (batches in the first epoch) × epochs. */
  readonly totalSteps?: number;
  /**
   * Early stopping: stop after this many epochs without a better validation loss, then restore the best
   * weights. Only then does the trainer keep (and checkpoint) a copy of the best weights; without
   * `patience` the best epoch is still reported, but the final weights are the last epoch's.
   */
  readonly patience?: number;
  /** Where the per-epoch checkpoint goes (none when unset). */
  readonly checkpointDir?: string;
  /** Continue from `checkpointDir` when it holds a checkpoint (starts fresh when it does not). */
  readonly resume?: boolean;
  /** JSON-lines log file (appended; on resume, records after the checkpoint are dropped). */
  readonly logFile?: string;
  /** Write a step record every this many updates (default 10; epoch records always). */
  readonly logEvery?: number;
  readonly seed: number;
}

export const DEFAULT_TRAINER_CONFIG: TrainerConfig = {
  epochs: 1,
  lr: 1e-3,
  weightDecay: 0.01,
  betas: [0.9, 0.999],
  eps: 1e-8,
  clipNorm: 1.0,
  warmupSteps: 0,
  schedule: 'linear',
  logEvery: 10,
  seed: 0,
};

/** Fill defaults and validate once; errors name the field. */
export function resolveTrainerConfig(partial: Partial<TrainerConfig> = {}): TrainerConfig {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<TrainerConfig>;
  const c: TrainerConfig = { ...DEFAULT_TRAINER_CONFIG, ...defined };
  const where = 'TrainerConfig';
  const int = (k: keyof TrainerConfig, v: unknown, min: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ConfigError(`${where}: ${k} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  };
  const num = (k: string, v: unknown, min: number, strict = false) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (strict && v === min)) {
      throw new ConfigError(`${where}: ${k} must be a finite number ${strict ? '>' : '>='} ${min}, got ${JSON.stringify(v)}`);
    }
  };
  int('epochs', c.epochs, 1);
  num('lr', c.lr, 0);
  num('weightDecay', c.weightDecay, 0);
  if (!Array.isArray(c.betas) || c.betas.length !== 2 || c.betas.some((b) => typeof b !== 'number' || !(b >= 0 && b < 1))) {
    throw new ConfigError(`${where}: betas must be two numbers in [0, 1), got ${JSON.stringify(c.betas)}`);
  }
  num('eps', c.eps, 0, true);
  num('clipNorm', c.clipNorm, 0);
  int('warmupSteps', c.warmupSteps, 0);
  if (c.minLr !== undefined) num('minLr', c.minLr, 0);
  if (c.totalSteps !== undefined) int('totalSteps', c.totalSteps, 1);
  if (c.patience !== undefined) int('patience', c.patience, 1);
  if (c.logEvery !== undefined) int('logEvery', c.logEvery, 1);
  int('seed', c.seed, -2147483648);
  validateLrSchedule({ kind: c.schedule, lr: c.lr, warmupSteps: c.warmupSteps, totalSteps: c.totalSteps ?? 0, minLr: c.minLr }, where);
  if (c.resume && !c.checkpointDir) throw new ConfigError(`${where}: resume needs checkpointDir`);
  return c;
}

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
}

export interface TrainResult {
  /** Logs of every epoch of the run (including epochs done before a resume). */
  readonly epochs: EpochLog[];
  /** Epoch (0-based) with the lowest validation loss; undefined without validation. */
  readonly bestEpoch: number | undefined;
  readonly bestValLoss: number | undefined;
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
  onEpochEnd?: (e: { epoch: number; trainLoss: number; valLoss?: number }) => void | Promise<void>;
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

/** Trainer-config fields that may change on resume: the run's length and where things are written. */
const RESUMABLE_CHANGES = new Set(['epochs', 'totalSteps', 'checkpointDir', 'resume', 'logFile', 'logEvery']);

/** `name: old → new` for every field that differs between a checkpoint's settings and this run's. */
export function configChanges(saved: Record<string, unknown>, now: Record<string, unknown>, ignore: ReadonlySet<string> = new Set()): string[] {
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(now)])].filter((k) => !ignore.has(k)).sort();
  const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));
  return keys.filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(now[k])).map((k) => `${k} ${show(saved[k])} → ${show(now[k])}`);
}

/** A seed from (base seed, step, phase) only. */
function stepSeed(seed: number, step: number, phase: string): number {
  return (hashString(`${seed}:${phase}:${step}`) & 0x7fffffff) >>> 0;
}

function tokensOf(b: TrainBatch): number {
  return b.tokens ?? b.size;
}

/** Mean validation loss, weighted by tokens (else batch size). */
async function evaluate<B extends TrainBatch>(
  lossFn: TrainOptions<B>['lossFn'],
  batches: Iterable<B>,
  epoch: number,
  step: number,
  seed: number,
): Promise<number | undefined> {
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

class JsonlLog {
  constructor(private readonly path: string | undefined) {}
  write(rec: Record<string, unknown>): void {
    if (this.path) appendFileSync(this.path, `${JSON.stringify(rec)}\n`);
  }
  /** Keep only records up to `step` (a resumed run rewrites what the killed run logged after its checkpoint). */
  truncateAfter(step: number): void {
    if (!this.path || !existsSync(this.path)) return;
    const kept = readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((line) => {
        if (line.trim() === '') return false;
        try {
          const r = JSON.parse(line) as { step?: number };
          return typeof r.step !== 'number' || r.step <= step;
        } catch {
          return false;
        }
      });
    writeFileAtomicSync(this.path, kept.length ? `${kept.join('\n')}\n` : '');
  }
}

/**
 * Train `variables` to minimise `lossFn`. See the file header for the algorithm; the contract is in
 * notes/TRANSFORMER-API.md.
 */
export async function train<B extends TrainBatch>(opts: TrainOptions<B>): Promise<TrainResult> {
  const config = resolveTrainerConfig(opts.config);
  const progress = opts.progress ?? silentProgress;
  const label = opts.label ?? 'train';
  const variables = new Map(opts.variables);
  if (variables.size === 0) throw new ConfigError('train: the variable map is empty (nothing to train)');
  const tfNameToName = new Map<string, string>();
  for (const [name, v] of variables) {
    if (!(v instanceof tf.Variable)) throw new ConfigError(`train: '${name}' is not a tf.Variable`);
    if (!v.trainable) throw new ConfigError(`train: variable '${name}' is not trainable (setTrainable it, or leave it out of the map)`);
    if (v.dtype !== 'float32') throw new ConfigError(`train: variable '${name}' has dtype ${v.dtype}, expected float32`);
    if (tfNameToName.has(v.name)) throw new ConfigError(`train: variable '${name}' appears twice in the map (also as '${tfNameToName.get(v.name)}')`);
    tfNameToName.set(v.name, name);
  }
  const varList = [...variables.values()];
  const optimizer = new AdamW(variables, { beta1: config.betas[0], beta2: config.betas[1], eps: config.eps, weightDecay: config.weightDecay }, opts.decayFilter ?? defaultDecayFilter);
  const log = new JsonlLog(config.logFile);
  const trackBest = opts.valBatches !== undefined;
  const restoreAtEnd = trackBest && config.patience !== undefined;

  let rng = new Rng(config.seed);
  let startEpoch = 0;
  let step = 0;
  let totalSteps = config.totalSteps;
  let bestValLoss: number | undefined;
  let bestEpoch: number | undefined;
  let patienceCounter = 0;
  let stoppedEarly = false;
  let bestFile: string | null = null;
  const epochLogs: EpochLog[] = [];
  let best: Map<string, tf.Tensor> | undefined;
  let pool: ReplicaPool | undefined;

  const disposeBest = () => {
    if (best) for (const t of best.values()) t.dispose();
    best = undefined;
  };

  try {
    if (config.checkpointDir) await mkdir(config.checkpointDir, { recursive: true });
    if (config.resume && config.checkpointDir && hasTrainCheckpoint(config.checkpointDir)) {
      const ck = await loadTrainCheckpoint(config.checkpointDir);
      const s = ck.state;
      checkCheckpointVariables(config.checkpointDir, s, variables);
      if (typeof s.config.seed === 'number' && s.config.seed !== config.seed) {
        throw new ConfigError(`train: resume from ${config.checkpointDir}: the checkpoint was trained with seed ${s.config.seed}, this run has seed ${config.seed}`);
      }
      const changes = [
        ...configChanges(s.config, { ...config } as Record<string, unknown>, RESUMABLE_CHANGES),
        ...(s.run !== undefined ? configChanges(s.run, opts.run ?? {}) : []),
      ];
      if (changes.length > 0 && !opts.forceConfig) {
        throw new ConfigError(
          `train: resume from ${config.checkpointDir}: the configuration changed since the checkpoint: ${changes.join(', ')} (rerun with the original settings, or force the new ones with --force-config / forceConfig)`,
        );
      }
      if (changes.length > 0) progress.log(`${label}: resuming with changed settings (forced): ${changes.join(', ')}`);
      tf.tidy(() => {
        for (const [name, v] of variables) v.assign(tf.tensor(ck.params.get(name)!, v.shape, 'float32'));
      });
      optimizer.setState(s.step, ck.slots, `train: resume from ${config.checkpointDir}`);
      if (ck.best) best = new Map([...variables].map(([n, v]) => [n, tf.tensor(ck.best!.get(n)!, v.shape, 'float32')]));
      rng = Rng.fromState(s.rng);
      startEpoch = s.epoch + 1;
      step = s.step;
      totalSteps = s.totalSteps;
      const savedEpochs = s.config.epochs;
      if (config.totalSteps === undefined && typeof savedEpochs === 'number' && savedEpochs !== config.epochs) {
        // The run was extended or shortened: stretch the schedule to the new number of epochs.
        totalSteps = Math.max(1, Math.round((s.totalSteps / savedEpochs) * config.epochs));
        progress.log(`${label}: epochs changed from ${savedEpochs} to ${config.epochs}; the schedule now spans ${totalSteps} updates`);
      }
      bestValLoss = s.bestValLoss ?? undefined;
      bestEpoch = s.bestEpoch ?? undefined;
      patienceCounter = s.patienceCounter;
      stoppedEarly = s.stoppedEarly;
      bestFile = s.bestFile;
      epochLogs.push(...s.epochs);
      log.truncateAfter(step);
      progress.log(`${label}: resumed from ${config.checkpointDir} after epoch ${s.epoch + 1} (step ${step})`);
    } else {
      if (config.resume) progress.log(`${label}: no checkpoint in ${config.checkpointDir}; starting fresh`);
      // a run killed before its first checkpoint left step records: this run rewrites them
      log.truncateAfter(-1);
    }

    const workers = opts.parallel?.workers ?? 0;
    if (workers > 0) {
      pool = await ReplicaPool.start(opts.parallel!.replica, workers, variables, backendReport()?.choice ?? tf.getBackend());
      progress.log(`${label}: data-parallel over ${workers + 1} replicas (${workers} worker thread${workers > 1 ? 's' : ''})`);
    }
    let runTokens = 0;
    let runSeconds = 0;
    for (let epoch = startEpoch; epoch < config.epochs && !stoppedEarly; epoch++) {
      const batches = Array.from(opts.trainBatches(epoch, rng));
      if (batches.length === 0) throw new ConfigError(`train: trainBatches(${epoch}) yielded no batches`);
      batches.forEach((b, i) => {
        if (!Number.isInteger(b.size) || b.size <= 0 || (b.tokens !== undefined && !(Number.isFinite(b.tokens) && b.tokens > 0))) {
          throw new DataError(`train: batch ${i} of epoch ${epoch + 1} has size ${b.size}${b.tokens !== undefined ? ` and tokens ${b.tokens}` : ''}; both must be positive`);
        }
      });
      totalSteps ??= batches.length * config.epochs;
      const schedule: LrScheduleConfig = { kind: config.schedule, lr: config.lr, warmupSteps: config.warmupSteps, totalSteps, minLr: config.minLr };
      const task = progress.start(`${label} epoch ${epoch + 1}/${config.epochs}`, batches.length);
      let lossSum = 0;
      let lossWeight = 0;
      let epochTokens = 0;
      let epochSeconds = 0;
      let lr = learningRateAt(schedule, step);
      for (const batch of batches) {
        lr = learningRateAt(schedule, step);
        const ctx: StepContext = { epoch, step, seed: stepSeed(config.seed, step, 'train') };
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        let exchangeSeconds: number | undefined;
        let stats: tf.Tensor;
        if (pool) {
          const r = await parallelUpdate(pool, opts.parallel!, batch, varList, [...variables.keys()], (b, c) => opts.lossFn(b, true, c), ctx, config.seed, (named) => {
            const norm = globalNorm(named);
            optimizer.applyGradients(named, lr, clipCoefficient(norm, config.clipNorm));
            return norm;
          });
          stats = r.stats;
          exchangeSeconds = r.exchangeSeconds;
          const every = opts.parallel!.verifyEvery;
          if (every && (step + 1) % every === 0) await pool.verify(varList);
        } else {
          stats = tf.tidy(() => {
            const { value, grads } = tf.variableGrads(() => opts.lossFn(batch, true, ctx), varList);
            const named = new Map<string, tf.Tensor | null>();
            for (const [tfName, g] of Object.entries(grads)) named.set(tfNameToName.get(tfName)!, g);
            const norm = globalNorm(named);
            optimizer.applyGradients(named, lr, clipCoefficient(norm, config.clipNorm));
            return tf.stack([value, norm]);
          });
        }
        const [loss, gradNorm] = (await stats.data()) as Float32Array;
        stats.dispose();
        const seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const cpuSeconds = (cpu.user + cpu.system) / 1e6;
        if (!Number.isFinite(loss!)) {
          throw new StateError(`train: loss is ${loss} at epoch ${epoch + 1}, step ${step} (lr ${lr}); lower the learning rate or check the data`);
        }
        const tokens = tokensOf(batch);
        lossSum += loss! * tokens;
        lossWeight += tokens;
        epochTokens += tokens;
        epochSeconds += seconds;
        step += 1;
        const tps = epochSeconds > 0 ? epochTokens / epochSeconds : 0;
        opts.onStep?.({ epoch, step: step - 1, loss: loss!, gradNorm: gradNorm!, lr, tokens, seconds, cpuSeconds, ...(exchangeSeconds !== undefined ? { exchangeSeconds } : {}) });
        task.tick(1, { loss: round(loss!, 4), lr: lr.toExponential(2), 'tok/s': Math.round(tps) });
        if (step % (config.logEvery ?? 10) === 0) {
          log.write({ type: 'step', epoch, step, loss: loss!, lr, tokens_per_s: tps, grad_norm: gradNorm! });
        }
      }
      runTokens += epochTokens;
      runSeconds += epochSeconds;
      const trainLoss = lossSum / lossWeight;
      const valLoss = opts.valBatches ? await evaluate(opts.lossFn, opts.valBatches(), epoch, step, config.seed) : undefined;
      let improved = false;
      if (trackBest && valLoss !== undefined) {
        if (bestValLoss === undefined || valLoss < bestValLoss) {
          bestValLoss = valLoss;
          bestEpoch = epoch;
          patienceCounter = 0;
          improved = true;
          if (restoreAtEnd) {
            // Early stopping will put these back: keep a copy (and checkpoint it).
            disposeBest();
            best = new Map([...variables].map(([n, v]) => [n, tf.clone(v)]));
          }
        } else {
          patienceCounter += 1;
          if (config.patience !== undefined && patienceCounter >= config.patience) stoppedEarly = true;
        }
      }
      const tokensPerSecond = epochSeconds > 0 ? epochTokens / epochSeconds : 0;
      const entry: EpochLog = { epoch, trainLoss, ...(valLoss !== undefined ? { valLoss } : {}), step, lr, tokens: epochTokens, seconds: epochSeconds, tokensPerSecond };
      epochLogs.push(entry);
      task.finish({ loss: round(trainLoss, 4), ...(valLoss !== undefined ? { val: round(valLoss, 4) } : {}), 'tok/s': Math.round(tokensPerSecond) });
      log.write({ type: 'epoch', epoch, step, loss: trainLoss, lr, tokens_per_s: tokensPerSecond, val_loss: valLoss ?? null, ...(stoppedEarly ? { stopped_early: true } : {}) });
      if (config.checkpointDir) {
        const st: TrainState = await saveTrainCheckpoint(config.checkpointDir, {
          variables,
          slots: (await optimizer.getState()).slots,
          ...(best ? { best } : {}),
          writeBest: improved,
          previousBestFile: bestFile,
          state: {
            epoch,
            step,
            totalSteps,
            rng: rng.getState(),
            bestValLoss: bestValLoss ?? null,
            bestEpoch: bestEpoch ?? null,
            patienceCounter,
            stoppedEarly,
            epochs: epochLogs,
            config: { ...config },
            ...(opts.run ? { run: opts.run } : {}),
          },
        });
        bestFile = st.bestFile;
      }
      await opts.onEpochEnd?.({ epoch, trainLoss, ...(valLoss !== undefined ? { valLoss } : {}) });
      if (stoppedEarly) progress.log(`${label}: early stop after epoch ${epoch + 1}: no improvement for ${patienceCounter} epochs (best ${bestValLoss} at epoch ${bestEpoch! + 1})`);
    }

    let restoredBest = false;
    if (restoreAtEnd && best) {
      const b = best;
      tf.tidy(() => {
        for (const [name, v] of variables) v.assign(b.get(name)!);
      });
      restoredBest = true;
    }
    return {
      epochs: epochLogs,
      bestEpoch,
      bestValLoss,
      stoppedEarly,
      tokensPerSecond: runSeconds > 0 ? runTokens / runSeconds : 0,
      restoredBest,
      steps: step,
      startEpoch,
    };
  } finally {
    disposeBest();
    optimizer.dispose();
    await pool?.close();
  }
}

/**
 * One data-parallel update: shards go to the workers, the trainer computes the first shard meanwhile, the
 * weighted gradients are summed (the trainer's shard first, then the workers' in order) and `apply` runs the
 * optimizer on them. Dropout seeds are per (step, shard). Returns [loss, gradNorm] and the exchange time.
 */
async function parallelUpdate<B extends TrainBatch>(
  pool: ReplicaPool,
  dp: DataParallel<B>,
  batch: B,
  varList: readonly tf.Variable[],
  names: readonly string[],
  lossFn: (b: B, ctx: StepContext) => tf.Scalar,
  ctx: StepContext,
  seed: number,
  apply: (named: Map<string, tf.Tensor | null>) => tf.Scalar,
): Promise<{ stats: tf.Tensor; exchangeSeconds: number }> {
  const shards = dp.split(batch, pool.size + 1);
  if (shards.length === 0 || shards.length > pool.size + 1) throw new ConfigError(`train: split gave ${shards.length} shards for ${pool.size + 1} replicas`);
  const total = shards.reduce((a, b) => a + tokensOf(b), 0);
  const weights = shards.map((b) => tokensOf(b) / total);
  const ctxs = shards.map((_, r) => (r === 0 ? ctx : { ...ctx, seed: stepSeed(seed, ctx.step, `train:${r}`) }));
  let exchange = pool.dispatch(varList, shards.slice(1), ctxs.slice(1), weights.slice(1));
  const own = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => lossFn(shards[0]!, ctxs[0]!), varList as tf.Variable[]);
    return [value, ...varList.map((v) => tf.mul(grads[v.name] ?? tf.zerosLike(v), weights[0]!))];
  });
  const t0 = performance.now();
  const { losses, gradient } = await pool.gather();
  exchange += (performance.now() - t0) / 1000;
  const summed = (i: number): Float32Array => {
    const t = performance.now();
    const g = gradient(i);
    exchange += (performance.now() - t) / 1000;
    return g;
  };
  const stats = tf.tidy(() => {
    const named = new Map<string, tf.Tensor | null>();
    varList.forEach((v, i) => named.set(names[i]!, shards.length > 1 ? tf.add(own[i + 1]!, tf.tensor(summed(i), v.shape, 'float32')) : own[i + 1]!));
    const norm = apply(named);
    const loss = losses.reduce((a, l, i) => a + l * weights[i + 1]!, 0);
    return tf.stack([tf.add(tf.mul(own[0]!, weights[0]!), loss), norm]);
  });
  tf.dispose(own);
  pool.invalidate();
  return { stats, exchangeSeconds: exchange };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
