export { buildProgram, main } from './main.js';
export { terminalProgress } from './progress.js';
