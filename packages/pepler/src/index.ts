/**
 * @xrec/pepler — PEPLER (Li, Zhang & Chen, "Personalized Prompt Learning for Explainable Recommendation",
 * ACM TOIS 2023): PEPLER-D, PEPLER (continuous prompts, sequential tuning; stage 2 full or LoRA),
 * PEPLER-MF and PEPLER-MLP.
 */
export * from './config.js';
export * from './tokens.js';
export * from './entity-index.js';
export * from './feature-prompt.js';
export * from './batches.js';
export * from './rating-head.js';
export * from './lora-stage.js';
export * from './pepler.js';
export * from './types.js';
export { readPepler, savePepler, type PeplerLoaders, type PeplerSaveParts } from './pepler-io.js';
export { peplerBatchLoss, peplerPrefix, type PeplerLossParts } from './batch-loss.js';
export { peplerDataParallel, peplerReplica, stageVariables, type PeplerReplicaArgs } from './replica.js';
