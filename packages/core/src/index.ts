export * from './errors.js';
export * from './rng.js';
export * from './progress.js';
export * from './schemas.js';
export * from './fs.js';
export * from './data-dir.js';
export * from './safetensors.js';
export * from './version.js';
