/** The trainer's configuration: fields, defaults, validation, and what may change on resume. */
import { ConfigError, is, resolveConfig, type ConfigSpec } from '@xrec/core';
import { validateLrSchedule, type ScheduleKind } from './schedule.js';

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

const SPEC: ConfigSpec<TrainerConfig> = {
  epochs: { check: is.int(1), default: DEFAULT_TRAINER_CONFIG.epochs },
  lr: { check: is.num(0), default: DEFAULT_TRAINER_CONFIG.lr },
  weightDecay: { check: is.num(0), default: DEFAULT_TRAINER_CONFIG.weightDecay },
  betas: {
    check: (v) => (Array.isArray(v) && v.length === 2 && v.every((b) => typeof b === 'number' && b >= 0 && b < 1) ? undefined : 'must be two numbers in [0, 1)'),
    default: DEFAULT_TRAINER_CONFIG.betas,
  },
  eps: { check: is.num(0, { exclusive: true }), default: DEFAULT_TRAINER_CONFIG.eps },
  clipNorm: { check: is.num(0), default: DEFAULT_TRAINER_CONFIG.clipNorm },
  warmupSteps: { check: is.int(0), default: DEFAULT_TRAINER_CONFIG.warmupSteps },
  schedule: { check: is.oneOf(['constant', 'linear', 'cosine']), default: DEFAULT_TRAINER_CONFIG.schedule },
  minLr: { check: is.num(0), optional: true },
  totalSteps: { check: is.int(1), optional: true },
  patience: { check: is.int(1), optional: true },
  checkpointDir: { check: is.str(), optional: true },
  resume: { check: is.bool(), optional: true },
  logFile: { check: is.str(), optional: true },
  logEvery: { check: is.int(1), default: DEFAULT_TRAINER_CONFIG.logEvery! },
  seed: { check: is.int(-2147483648), default: DEFAULT_TRAINER_CONFIG.seed },
};

/** Fill defaults and validate once (unknown fields are errors); errors name the field. */
export function resolveTrainerConfig(partial: Partial<TrainerConfig> = {}): TrainerConfig {
  const where = 'TrainerConfig';
  const c = resolveConfig(where, SPEC, partial);
  validateLrSchedule({ kind: c.schedule, lr: c.lr, warmupSteps: c.warmupSteps, totalSteps: c.totalSteps ?? 0, minLr: c.minLr }, where);
  if (c.resume && !c.checkpointDir) throw new ConfigError(`${where}: resume needs checkpointDir`);
  return c;
}

/** Trainer-config fields that may change on resume: the run's length and where things are written. */
export const RESUMABLE_CHANGES: ReadonlySet<string> = new Set(['epochs', 'totalSteps', 'checkpointDir', 'resume', 'logFile', 'logEvery']);

/** `name: old → new` for every field that differs between a checkpoint's settings and this run's. */
export function configChanges(saved: Record<string, unknown>, now: Record<string, unknown>, ignore: ReadonlySet<string> = new Set()): string[] {
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(now)])].filter((k) => !ignore.has(k)).sort();
  const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));
  return keys.filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(now[k])).map((k) => `${k} ${show(saved[k])} → ${show(now[k])}`);
}
