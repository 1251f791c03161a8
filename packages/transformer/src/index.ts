/**
 * @xrec/transformer — the public API (everything else is internal; see the README's API table):
 * models and configs, backends and native kernels, the trainer, batches, scoring, checkpoints.
 */
// models and configs
export { TransformerLM, type ForwardInput, type ForwardOutput, type GenerateOptions, type WeightMap } from './model.js';
export {
  ARCHS,
  DEFAULT_BERT_CONFIG,
  DEFAULT_GPT2_CONFIG,
  DEFAULT_LLAMA_CONFIG,
  DEFAULT_ROBERTA_CONFIG,
  llamaHiddenDim,
  resolveTransformerConfig,
  type Arch,
  type AttentionKind,
  type HiddenAct,
  type PositionBias,
  type TransformerConfig,
} from './config.js';
export { alibiSlopes } from './attention-bias.js';
export { fromHfConfig, toHfConfig } from './config-hf.js';
export { DEFAULT_T5_CONFIG, resolveT5Config, t5FromHf, t5ToHf, type T5Config } from './t5/config.js';
export { T5Model, type T5Input, type T5Prefix, type T5Row, type T5Weights } from './t5/model.js';
export type { BeamHypothesis, BeamSearchOptions } from './t5/beam-search.js';
export { loadT5, saveT5 } from './t5/checkpoint.js';
export { relativePositionBucket } from './t5/relative-position.js';
export { PrefixTrie } from './prefix-trie.js';
export type { LinearAdapter, LinearLayer } from './linear.js';
export type { PrefixKV } from './prefix-kv.js';
export { loadLlama2c, parseLlama2c } from './llama2c.js';
export { CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION, loadCheckpointDir, saveCheckpointDir } from './checkpoint.js';
export { argmax, sampleToken } from './generate.js';
export { meanPooledStates, scoreSequences, tokenLogits, type ScoreOptions } from './scoring.js';
// backends and native kernels
export { BACKEND_ENV, backendReport, describeBackend, initBackend, type BackendChoice, type BackendReport } from './backend.js';
export { activateNativeKernels, deactivateNativeKernels, nativeStatus, setNativeThreads, type NativeStatus } from './native-kernels.js';
export { activateSimdKernels, deactivateSimdKernels, simdStatus, type SimdStatus } from './simd-kernels.js';
// training
export { train, type StepReport, type TrainOptions, type TrainResult, type ValMetric } from './trainer.js';
export { configChanges, DEFAULT_TRAINER_CONFIG, resolveTrainerConfig, type TrainerConfig } from './trainer-config.js';
export type { ParamGroup, UpdateRule } from './train-updater.js';
export { trainStages, type Stage, type StagesOptions } from './train-stages.js';
export type { DataParallel, Replica, ReplicaFactory, ReplicaSpec, StepContext, TrainBatch } from './train-types.js';
export { AdamW, defaultDecayFilter, resolveAdamWConfig, type AdamSlotValues, type AdamWConfig, type DecayFilter } from './optim.js';
export { learningRateAt, type LrScheduleConfig, type ScheduleKind } from './schedule.js';
export { hasTrainCheckpoint, loadTrainCheckpoint, readTrainState, type EpochLog, type LoadedTrainCheckpoint, type TrainState } from './train-checkpoint.js';
export { batchWindows, bucketedBatches, lmLoss, packSequences, seqLoss, splitLmBatch, type LmBatch, type SeqBatch, type SeqRow } from './lm-batch.js';
export { lmDataParallel, lmReplica, type LmReplicaArgs } from './parallel/lm-replica.js';
export { maskWindows, mlmLoss, splitMlmBatch, type MaskingOptions, type MlmBatch } from './mlm-batch.js';
export { mlmDataParallel, mlmReplica, type MlmReplicaArgs } from './parallel/mlm-replica.js';
export { autoWorkers, resolveWorkers, type AutoWorkersInput } from './parallel/auto.js';
export { againstSingleThread, type SingleThreadComparison } from './parallel/check.js';
