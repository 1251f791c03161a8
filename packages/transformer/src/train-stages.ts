/**
 * Declarative sequential stages (PEPLER's sequential tuning: prompts only, then prompts and model): each stage
 * is one `train()` call with its own trainable set, learning rate and epochs, run in order; with a checkpoint
 * folder each stage checkpoints into `<dir>/<stage>/`, so a killed run resumes inside the stage it was in
 * (finished stages restore their final weights from their last checkpoint and are not trained again).
 */
import type * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { ConfigError } from '@xrec/core';
import { train, type TrainOptions, type TrainResult } from './trainer.js';
import type { TrainerConfig } from './trainer-config.js';
import type { TrainBatch } from './train-types.js';

export interface Stage<B extends TrainBatch> {
  readonly name: string;
  /** The trainable set of the stage (a function: evaluated when the stage starts, after `before`). */
  readonly variables: ReadonlyMap<string, tf.Variable> | (() => ReadonlyMap<string, tf.Variable>);
  /** Trainer settings of this stage over the shared ones (e.g. `lr`, `epochs`, `seed`). */
  readonly config?: Partial<TrainerConfig>;
  /** Anything else of `train()` this stage changes (updates, groups, valMetric...). */
  readonly options?: Partial<Omit<TrainOptions<B>, 'variables' | 'config'>>;
  /** Runs before the stage (e.g. attach adapters) and after it (e.g. merge them), also when it fails. */
  readonly before?: () => void | Promise<void>;
  readonly after?: () => void | Promise<void>;
}

export interface StagesOptions<B extends TrainBatch> extends Omit<TrainOptions<B>, 'variables'> {
  /** Each stage checkpoints into `<checkpointDir>/<stage name>/` (overrides config.checkpointDir). */
  readonly checkpointDir?: string;
  readonly resume?: boolean;
}

/** Run the stages in order; returns each stage's result. */
export async function trainStages<B extends TrainBatch>(stages: readonly Stage<B>[], common: StagesOptions<B>): Promise<{ stage: string; result: TrainResult }[]> {
  const names = new Set<string>();
  for (const s of stages) {
    if (names.has(s.name)) throw new ConfigError(`trainStages: two stages are named '${s.name}'`);
    names.add(s.name);
  }
  const { checkpointDir, resume, ...rest } = common;
  const out: { stage: string; result: TrainResult }[] = [];
  for (const s of stages) {
    await s.before?.();
    try {
      const variables = typeof s.variables === 'function' ? s.variables() : s.variables;
      const config: Partial<TrainerConfig> = { ...common.config, ...s.config, ...(checkpointDir ? { checkpointDir: join(checkpointDir, s.name), resume: resume ?? false } : {}) };
      const result = await train<B>({ ...rest, ...s.options, variables, config, label: `${common.label ?? 'train'} ${s.name}` } as TrainOptions<B>);
      out.push({ stage: s.name, result });
    } finally {
      await s.after?.();
    }
  }
  return out;
}
