export * from './task.js';
export * from './registry.js';
import './explain.js';
import './coldstart.js';
import './rec.js';
import './fairness.js';
import './coldstart-explain.js';
