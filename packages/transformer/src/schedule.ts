/**
 * Learning-rate schedules: linear warm-up followed by a constant, linear or cosine decay, as in
 * Hugging Face's `get_{constant,linear,cosine}_schedule_with_warmup` (Loshchilov & Hutter 2017, "SGDR",
 * for the cosine shape). `step` counts optimizer updates from 0; the rate used for update `step` is
 *
 *   warm-up  (step < W):      lr · (step + 1) / W
 *   constant (step >= W):     lr
 *   linear   (step >= W):     minLr + (lr − minLr) · max(0, (S − step) / (S − W))
 *   cosine   (step >= W):     minLr + (lr − minLr) · ½ · (1 + cos(π · min(1, (step − W) / (S − W))))
 *
 * with W = warmupSteps and S = totalSteps. Warm-up uses `step + 1` so that the very first update is not
 * wasted at rate 0 (nanoGPT's convention).
 */
import { ConfigError } from '@xrec/core';

export type ScheduleKind = 'constant' | 'linear' | 'cosine';

export interface LrScheduleConfig {
  readonly kind: ScheduleKind;
  /** Peak learning rate (after warm-up). */
  readonly lr: number;
  /** Number of warm-up updates W (0 = none). */
  readonly warmupSteps: number;
  /** Total number of updates S of the whole run (needed by linear and cosine). */
  readonly totalSteps: number;
  /** Final rate of linear/cosine decay (default 0). */
  readonly minLr?: number;
}

function checkFinite(where: string, name: string, v: number, min = 0): void {
  if (!Number.isFinite(v) || v < min) throw new ConfigError(`${where}: ${name} must be a finite number >= ${min}, got ${v}`);
}

/** Validate a schedule config; errors name the field. */
export function validateLrSchedule(c: LrScheduleConfig, where = 'lrSchedule'): void {
  if (c.kind !== 'constant' && c.kind !== 'linear' && c.kind !== 'cosine') {
    throw new ConfigError(`${where}: kind must be 'constant', 'linear' or 'cosine', got ${JSON.stringify(c.kind)}`);
  }
  checkFinite(where, 'lr', c.lr);
  checkFinite(where, 'minLr', c.minLr ?? 0);
  if ((c.minLr ?? 0) > c.lr) throw new ConfigError(`${where}: minLr ${c.minLr} exceeds lr ${c.lr}`);
  if (!Number.isInteger(c.warmupSteps) || c.warmupSteps < 0) {
    throw new ConfigError(`${where}: warmupSteps must be a non-negative integer, got ${c.warmupSteps}`);
  }
  if (!Number.isInteger(c.totalSteps) || c.totalSteps < 0) {
    throw new ConfigError(`${where}: totalSteps must be a non-negative integer, got ${c.totalSteps}`);
  }
}

/** The learning rate for optimizer update number `step` (0-based). */
export function learningRateAt(c: LrScheduleConfig, step: number): number {
  const minLr = c.minLr ?? 0;
  const W = c.warmupSteps;
  if (step < W) return (c.lr * (step + 1)) / W;
  if (c.kind === 'constant') return c.lr;
  const S = c.totalSteps;
  if (S <= W) return minLr; // warm-up used every update: nothing left to decay over
  const progress = Math.min(1, Math.max(0, (step - W) / (S - W)));
  if (c.kind === 'linear') return minLr + (c.lr - minLr) * (1 - progress);
  return minLr + (c.lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
