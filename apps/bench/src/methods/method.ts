/**
 * A method of the explanation bench (RecBole's `get_model(name)` idea): one file per method under methods/,
 * registered in registry.ts. The scheduler, the report (label, row order, RMSE/MAE rows, goal checks) and the
 * CLI help read everything they need from here.
 */
import type { PeplerEpochLog, PeplerStageReport } from '@xrec/pepler';
import type { Progress } from '@xrec/core';
import type { BenchProfile } from '../profiles.js';
import type { BaseModelId, SplitContext } from '../types.js';

/**
 * How the report's goal checks treat a method's row:
 * - `variant`: a PEPLER variant on xrec-base, held to every goal (beats the random-init ablation, FMR/FCR > 0,
 *   < 1% repetition; the best variant must beat retrieval);
 * - `random-init`: the no-pre-training ablation the variants are compared with;
 * - `baseline`: the retrieval baseline the best variant is compared with;
 * - `reference`: shown for comparison, not checked (stories260K, the split-only pre-training ablation).
 */
export type MethodRole = 'variant' | 'random-init' | 'baseline' | 'reference';

/** One test pair to explain. */
export interface TestPair {
  readonly user: string;
  readonly item: string;
}

/** What a run gets. */
export interface MethodRunContext {
  readonly ctx: SplitContext;
  readonly profile: BenchProfile;
  readonly seed: number;
  readonly config: Record<string, unknown>;
  readonly pairs: readonly TestPair[];
  /** Where to save the trained model (absolute). */
  readonly modelDir: string;
  readonly progress: Progress;
  /**
   * Where the method's trainer checkpoints every epoch (resumed when `resume` is true: an earlier invocation
   * of the same run was interrupted), and a callback to call after every finished epoch.
   */
  readonly checkpoint?: { readonly dir: string; readonly resume: boolean; onEpoch(): Promise<void> };
  /** Data-parallel worker threads of the method's training (absent: one thread). */
  readonly workers?: number | 'auto';
}

/** What a run returns. */
export interface MethodOutput {
  readonly generated: string[];
  /** Predicted ratings, for methods with a rating head. */
  readonly predicted?: number[];
  readonly trainSeconds: number;
  readonly generateSeconds: number;
  readonly tokensPerSecond: number;
  readonly epochs: readonly PeplerEpochLog[];
  readonly stages: readonly PeplerStageReport[];
  /** Whether a model was saved in `modelDir`. */
  readonly savedModel: boolean;
}

export interface ExplainMethod {
  readonly id: string;
  readonly label: string;
  readonly baseModel: BaseModelId;
  readonly role: MethodRole;
  /** Predicts ratings (its rows get RMSE/MAE and its validation loss goes to the rating chart). */
  readonly ratingHead: boolean;
  /** Held to the USR ≥ 0.10 goal (PEPLER and PEPLER-D). */
  readonly usrGoal: boolean;
  /** Relative cost, for scheduling (longest first keeps the workers busy to the end). */
  readonly cost: number;
  /** Progress-bar units of a run (≈ CPU seconds / 10 on the quick profile). */
  readonly workUnits: number;
  /** The configuration of a run under a profile (recorded in result.json and part of the run's fingerprint). */
  config(profile: BenchProfile, seed: number): Record<string, unknown>;
  run(rc: MethodRunContext): Promise<MethodOutput>;
}
