export * from './backend.js';
export { registerWasmFixes } from './wasm-kernels.js';
export * from './schedule.js';
export * from './optim.js';
export * from './train-checkpoint.js';
export * from './trainer.js';
