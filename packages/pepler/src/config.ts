/**
 * PEPLER configuration (Li, Zhang & Chen, "Personalized Prompt Learning for Explainable Recommendation",
 * ACM TOIS 2023). Defaults follow the reference code (lileipisces/PEPLER: main.py, discrete.py, reg.py).
 */
import { ConfigError, is, resolveConfig, type ConfigSpec } from '@xrec/core';

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
  /** Maximum new tokens generated (greedy); default `words`. */
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
  /** Max epochs of stage 1 (prompt-only) of the continuous variant; default `epochs`. */
  readonly stage1Epochs: number;
  readonly weightDecay: number;
  readonly clipNorm: number;
  /** AdamW's betas and eps (the reference's `torch.optim.AdamW(lr=...)` with eps 1e-6 as transformers'). */
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly stage2: Stage2Mode;
  readonly loraR: number;
  readonly loraAlpha: number;
  /** Text loss weight (reference `--text_reg` 1). */
  readonly textReg: number;
  /** Rating loss weight λ; default the variant's reference value (0.01 for MF, 1 for MLP, 0 otherwise). */
  readonly ratingReg: number;
  /** MLP head hidden width and number of hidden-to-hidden layers (reference 400, 2). */
  readonly mlpHidden: number;
  readonly mlpLayers: number;
  /** Prompt embedding init: uniform(-initRange, initRange) (reference 0.1). */
  readonly initRange: number;
  /**
   * Learning-rate multiplier of the user and item prompt vectors in every stage (default 1, the reference).
   * Each vector gets a gradient only in the batches its user or item appears in, so under Adam it moves about
   * `lr` per coordinate per appearance; in short runs the prompts stay near their random init (not in the
   * reference).
   */
  readonly promptLrScale: number;
  /**
   * Cap on updates per epoch (0 = the whole training split each epoch). Each epoch then trains on a fresh
   * random subset of batches — a fixed compute budget for quick runs (not in the reference).
   */
  readonly maxBatchesPerEpoch: number;
  readonly seed: number;
}

/** Reference learning rate of a variant (discrete.py defaults to 1e-4; the others to 1e-3). */
export function referenceLr(variant: PeplerVariant): number {
  return variant === 'discrete' ? 1e-4 : 1e-3;
}

/** Reference rating-loss weight λ (README of lileipisces/PEPLER: MF 0.01 default, MLP `--rating_reg 1`). */
export function referenceRatingReg(variant: PeplerVariant): number {
  return variant === 'mlp' ? 1 : variant === 'mf' ? 0.01 : 0;
}

const SPEC: ConfigSpec<PeplerConfig> = {
  variant: { check: is.oneOf(PEPLER_VARIANTS), default: 'continuous' },
  words: { check: is.int(1), default: 20 },
  maxNewTokens: { check: is.int(1), default: (c) => c.words! },
  promptTokens: { check: is.int(1), default: 20 },
  batchSize: { check: is.int(1), default: 128 },
  epochs: { check: is.int(1), default: 100 },
  patience: { check: is.int(0), default: 5 },
  lr: { check: is.num(0, { exclusive: true }), default: (c) => referenceLr(c.variant!) },
  lr2: { check: is.num(0, { exclusive: true }), default: 1e-3 },
  stage1Epochs: { check: is.int(1), default: (c) => c.epochs! },
  weightDecay: { check: is.num(0), default: 0 },
  clipNorm: { check: is.num(0), default: 0 },
  betas: { check: (v) => (Array.isArray(v) && v.length === 2 && v.every((b) => typeof b === 'number' && b >= 0 && b < 1) ? undefined : 'must be two numbers in [0, 1)'), default: [0.9, 0.999] },
  eps: { check: is.num(0, { exclusive: true }), default: 1e-6 },
  stage2: { check: is.oneOf(['full', 'lora']), default: 'full' },
  loraR: { check: is.int(1), default: 8 },
  loraAlpha: { check: is.num(0, { exclusive: true }), default: 16 },
  textReg: { check: is.num(0), default: 1 },
  ratingReg: { check: is.num(0), default: (c) => referenceRatingReg(c.variant!) },
  mlpHidden: { check: is.int(1), default: 400 },
  mlpLayers: { check: is.int(0), default: 2 },
  initRange: { check: is.num(0, { exclusive: true }), default: 0.1 },
  promptLrScale: { check: is.num(0, { exclusive: true }), default: 1 },
  maxBatchesPerEpoch: { check: is.int(0), default: 0 },
  seed: { check: is.int(0), default: 1 },
};

/**
 * Fill defaults (variant-specific where the reference differs, computed from other fields where they depend
 * on them) and validate once; unknown fields are errors; errors name the field.
 */
export function resolvePeplerConfig(partial: Partial<PeplerConfig> = {}): PeplerConfig {
  const c = resolveConfig('PeplerConfig', SPEC, partial);
  if (c.stage2 === 'lora' && c.variant !== 'continuous') {
    throw new ConfigError(`PeplerConfig.stage2: 'lora' applies to the continuous variant only, got variant '${c.variant}'`);
  }
  return c;
}

/** The defaults (of the continuous variant). */
export const DEFAULT_PEPLER_CONFIG: PeplerConfig = resolvePeplerConfig({});
