export * from './config.js';
export * from './peft-config.js';
export type { LinearAdapterLike, LinearLayerLike, LoraHost } from './model-view.js';
export { matchesModule, concreteTargets, selectTargets, selectModulesToSave, OUTPUT_HEAD_NAMES } from './targets.js';
export { LoraLayer, deltaWeight, initialLoraValues, type LoraWeights } from './layer.js';
export * from './lora-model.js';
export * from './verbs.js';
export * from './io.js';
export { loraDataParallel, loraReplica, type LoraReplicaArgs } from './replica.js';
