/**
 * @xrec/playground — the xrec web app and JSON API (L4): explanations (PEPLER), cold start (PromptRec),
 * fairness (UP5) and the benchmark reports, on the packages' public APIs. `xrec serve` starts it.
 */
export * from './schemas.js';
export * from './errors.js';
export * from './batcher.js';
export * from './text-features.js';
export * from './app.js';
export * from './serve.js';
export { loadPlaygroundModels, REPO_ROOT, type PlaygroundModels, type PlaygroundModelsOptions } from './services/index.js';
export { ExplainService } from './services/explain.js';
export { ColdStartService, type ColdStartOptions } from './services/coldstart.js';
export { FairnessService } from './services/fairness.js';
export { readReports } from './services/reports.js';
