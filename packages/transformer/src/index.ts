export * from './backend.js';
export { registerWasmFixes } from './wasm-kernels.js';
