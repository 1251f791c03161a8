/**
 * PEPLER configuration (Li, Zhang & Chen, "Personalized Prompt Learning for Explainable Recommendation",
 * ACM TOIS 2023). Defaults follow the reference code (lileipisces/PEPLER: main.py, discrete.py, reg.py).
 */
import { ConfigError } from '@xrec/core';

/**
 * - `discrete`: PEPLER-D — feature words as a token prompt, the whole LM fine-tuned (discrete.py).
 * - `continuous`: PEPLER — user/item prefix vectors, sequential tuning (main.py).
 * - `mf`, `mlp`: PEPLER with recommendation as regularization (reg.py --use_mf / MLP).
 */
export type PeplerVariant = 'discrete' | 'continuous' | 'mf' | 'mlp';
export const PEPLER_VARIANTS: readonly PeplerVariant[] = ['discrete', 'continuous', 'mf', 'mlp'];

/** How the continuous variant's stage 2 tunes the language model. `lora` is xrec's extension. */
export type Stage2Mode = 'full' | 'lora';

export interface PeplerConfig {
  readonly variant: PeplerVariant;
  /** Explanation token budget (reference `--words 20`): explanations are cut to this many tokens. */
  readonly words: number;
  /** Maximum new tokens generated (greedy); defaults to `words` when 0. */
  readonly maxNewTokens: number;
  /** PEPLER-D: token budget of the feature prompt (reference: `words`). */
  readonly promptTokens: number;
  readonly batchSize: number;
  /** Max epochs per stage (reference 100, with early stopping). */
  readonly epochs: number;
  /** Early stopping patience (reference `endure_times` 5); 0 = no early stopping (train all epochs). */
  readonly patience: number;
  /** Learning rate of stage 1 / the only stage (reference: 1e-3 continuous and reg, 1e-4 discrete). */
  readonly lr: number;
  /** Learning rate of stage 2 of the continuous variant (reference main.py reuses `--lr`, i.e. 1e-3). */
  readonly lr2: number;
  /** Max epochs of stage 1 (prompt-only) of the continuous variant; defaults to `epochs` when 0. */
  readonly stage1Epochs: number;
  readonly weightDecay: number;
  readonly clipNorm: number;
  readonly stage2: Stage2Mode;
  readonly loraR: number;
  readonly loraAlpha: number;
  /** Text loss weight (reference `--text_reg` 1). */
  readonly textReg: number;
  /** Rating loss weight λ (reference 0.01 for MF, 1 for MLP); 0 picks the variant's reference value. */
  readonly ratingReg: number;
  /** MLP head hidden width and number of hidden-to-hidden layers (reference 400, 2). */
  readonly mlpHidden: number;
  readonly mlpLayers: number;
  /** Prompt embedding init: uniform(-initRange, initRange) (reference 0.1). */
  readonly initRange: number;
  /**
   * Cap on updates per epoch (0 = the whole training split each epoch). Each epoch then trains on a fresh
   * random subset of batches — a fixed compute budget for quick runs (not in the reference).
   */
  readonly maxBatchesPerEpoch: number;
  readonly seed: number;
}

export const DEFAULT_PEPLER_CONFIG: PeplerConfig = {
  variant: 'continuous',
  words: 20,
  maxNewTokens: 0,
  promptTokens: 20,
  batchSize: 128,
  epochs: 100,
  patience: 5,
  lr: 1e-3,
  lr2: 1e-3,
  stage1Epochs: 0,
  weightDecay: 0,
  clipNorm: 0,
  stage2: 'full',
  loraR: 8,
  loraAlpha: 16,
  textReg: 1,
  ratingReg: 0,
  mlpHidden: 400,
  mlpLayers: 2,
  initRange: 0.1,
  maxBatchesPerEpoch: 0,
  seed: 1,
};

/** Reference learning rate of a variant (discrete.py defaults to 1e-4; the others to 1e-3). */
export function referenceLr(variant: PeplerVariant): number {
  return variant === 'discrete' ? 1e-4 : 1e-3;
}

/** Reference rating-loss weight λ (README of lileipisces/PEPLER: MF 0.01 default, MLP `--rating_reg 1`). */
export function referenceRatingReg(variant: PeplerVariant): number {
  return variant === 'mlp' ? 1 : variant === 'mf' ? 0.01 : 0;
}

/** Fill defaults (variant-specific where the reference differs) and validate once; errors name the field. */
export function resolvePeplerConfig(partial: Partial<PeplerConfig> = {}): PeplerConfig {
  const clean = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<PeplerConfig>;
  const variant = clean.variant ?? DEFAULT_PEPLER_CONFIG.variant;
  if (!PEPLER_VARIANTS.includes(variant)) {
    throw new ConfigError(`pepler config: variant must be one of ${PEPLER_VARIANTS.join(', ')}, got ${JSON.stringify(variant)}`);
  }
  const c: PeplerConfig = {
    ...DEFAULT_PEPLER_CONFIG,
    lr: referenceLr(variant),
    ...clean,
    variant,
  };
  const resolved: PeplerConfig = {
    ...c,
    maxNewTokens: c.maxNewTokens === 0 ? c.words : c.maxNewTokens,
    ratingReg: c.ratingReg === 0 ? referenceRatingReg(variant) : c.ratingReg,
    stage1Epochs: c.stage1Epochs === 0 ? c.epochs : c.stage1Epochs,
  };
  const positiveInts: (keyof PeplerConfig)[] = ['words', 'maxNewTokens', 'promptTokens', 'batchSize', 'epochs', 'stage1Epochs', 'loraR', 'mlpHidden'];
  for (const k of positiveInts) {
    const v = resolved[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ConfigError(`pepler config: ${k} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  const nonNegInts: (keyof PeplerConfig)[] = ['patience', 'mlpLayers', 'seed', 'maxBatchesPerEpoch'];
  for (const k of nonNegInts) {
    const v = resolved[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ConfigError(`pepler config: ${k} must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
  const positives: (keyof PeplerConfig)[] = ['lr', 'lr2', 'loraAlpha', 'initRange'];
  for (const k of positives) {
    const v = resolved[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ConfigError(`pepler config: ${k} must be a positive number, got ${JSON.stringify(v)}`);
  }
  const nonNeg: (keyof PeplerConfig)[] = ['weightDecay', 'clipNorm', 'textReg', 'ratingReg'];
  for (const k of nonNeg) {
    const v = resolved[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigError(`pepler config: ${k} must be a non-negative number, got ${JSON.stringify(v)}`);
  }
  if (resolved.stage2 !== 'full' && resolved.stage2 !== 'lora') {
    throw new ConfigError(`pepler config: stage2 must be 'full' or 'lora', got ${JSON.stringify(resolved.stage2)}`);
  }
  if (resolved.stage2 === 'lora' && resolved.variant !== 'continuous') {
    throw new ConfigError(`pepler config: stage2 'lora' applies to the continuous variant only, got variant '${resolved.variant}'`);
  }
  return resolved;
}
