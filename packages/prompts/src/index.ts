/**
 * @xrec/prompts (L2): prompt modules for @xrec/transformer models — PEPLER's entity prompt tables, prompt
 * tuning (virtual input tokens), per-layer prefix tuning (keys/values for every attention layer, with peft's
 * reparameterisation) and the prefix-mixture hook. Every module exposes its trainable `variables()` by name
 * for the trainer and leaves the model's own weights alone.
 */
export { EntityPromptTable, type EntityKind } from './entity-table.js';
export { PromptTuning, type PromptTuningOptions } from './prompt-tuning.js';
export { PrefixTuning, type PrefixTuningConfig } from './prefix-tuning.js';
export { concatMixture, concatPrefixes, type PrefixMixture } from './mixture.js';
export { AttentionMixture, type AttentionMixtureConfig } from './attention-mixture.js';
export type { PromptInit } from './init.js';
