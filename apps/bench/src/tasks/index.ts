export * from './task.js';
export * from './registry.js';
import './explain.js';
