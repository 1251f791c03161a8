/** PEPLER's data, report and option types, its saved-model format, and the state a model is built from. */
import type { Progress } from '@xrec/core';
import type { EntityPromptTable } from '@xrec/prompts';
import type { TextCodec } from '@xrec/tokenizer';
import type { TransformerLM } from '@xrec/transformer';
import type { PeplerConfig } from './config.js';
import type { EntityIndex } from './entity-index.js';
import type { FeatureProfiles } from './feature-prompt.js';
import type { RatingHead } from './rating-head.js';

/** The language-model surface PEPLER uses: the real `TransformerLM`'s members (a test double picks these). */
export type PeplerLM = Pick<TransformerLM, 'config' | 'loss' | 'parameters' | 'generate' | 'save' | 'dispose'>;

export const PEPLER_FORMAT = 'xrec-pepler';
export const PEPLER_FORMAT_VERSION = 1;

/** The fields of an explanation record PEPLER reads (an `@xrec/data` ExplanationRecord fits). */
export interface PeplerRecord {
  readonly user: string;
  readonly item: string;
  readonly rating: number;
  readonly feature: string;
  readonly sentence: string;
}

/** Records plus the row numbers of one split. */
export interface PeplerTrainData {
  readonly records: readonly PeplerRecord[];
  readonly train: ArrayLike<number>;
  readonly validation: ArrayLike<number>;
}

export type PeplerStage = 'prompt' | 'full' | 'lora' | 'joint';

export interface PeplerEpochLog {
  readonly stage: PeplerStage;
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss?: number;
}

export interface PeplerStageReport {
  readonly stage: PeplerStage;
  readonly lr: number;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly bestValLoss: number;
  readonly stoppedEarly: boolean;
  readonly tokensPerSecond: number;
  readonly seconds: number;
  readonly trainableParameters: number;
}

export interface PeplerTrainReport {
  readonly config: PeplerConfig;
  readonly stages: PeplerStageReport[];
  readonly epochs: PeplerEpochLog[];
  readonly seconds: number;
  /** Scored tokens per second over all stages. */
  readonly tokensPerSecond: number;
  readonly trainExamples: number;
  readonly validationExamples: number;
  /** Validation rows dropped because their user or item is not in the training split. */
  readonly validationSkipped: number;
}

export interface PeplerTrainOptions {
  readonly lm: PeplerLM;
  readonly tokenizer: TextCodec;
  /** The tokenizer's file, copied into saved models so `Pepler.load` can restore it. */
  readonly tokenizerFile?: string;
  readonly data: PeplerTrainData;
  readonly config?: Partial<PeplerConfig>;
  readonly progress?: Progress;
  readonly label?: string;
  /** Called after every epoch of every stage; a returned promise is awaited before the next epoch. */
  readonly onEpochEnd?: (e: PeplerEpochLog) => unknown;
  /**
   * Per-epoch checkpoints of every stage (`<dir>/<stage>/`, the trainer's format): with `resume`, a killed
   * run continues from the last completed epoch and ends with the uninterrupted run's weights (dropout
   * masks come from the trainer's per-update seed).
   */
  readonly checkpointDir?: string;
  readonly resume?: boolean;
  /**
   * Data-parallel training: `workers` threads besides the trainer's own, each with a replica of the stage's
   * model, share every update's batch (default 0: one thread). 'auto' picks by model size and backend (the
   * transformer's `autoWorkers`). `verifyEvery`: check every this many updates that the replicas hold the
   * trainer's weights bit for bit.
   */
  readonly parallel?: { readonly workers: number | 'auto'; readonly verifyEvery?: number };
}

export interface UserItemPair {
  readonly user: string;
  readonly item: string;
}

export interface PeplerState {
  readonly config: PeplerConfig;
  readonly lm: PeplerLM;
  readonly tokenizer: TextCodec;
  readonly tokenizerFile?: string;
  readonly users: EntityIndex;
  readonly items: EntityIndex;
  readonly features: FeatureProfiles;
  readonly ratingRange: { readonly min: number; readonly max: number };
  /** The user and item prompt vectors (continuous variants): [nUsers, d] and [nItems, d]. */
  readonly prompts?: EntityPromptTable;
  readonly head?: RatingHead;
}

/** PEPLER's two entity kinds, in the order of its prefix [u; i]. */
export const promptKinds = (users: EntityIndex, items: EntityIndex) => [
  { name: 'user', count: users.size },
  { name: 'item', count: items.size },
];
