/**
 * @xrec/bench — the benchmark app: `xrec bench explain` runs PEPLER (Li, Zhang & Chen, TOIS 2023) variants,
 * the no-pre-training ablation and a retrieval baseline over splits and seeds and writes a report;
 * `xrec explain` explains one user-item pair with a saved model.
 */
export * from './profiles.js';
export * from './retrieval.js';
export * from './split-data.js';
export * from './svg.js';
export * from './pretrain.js';
export * from './stories.js';
export * from './environment.js';
export * from './report.js';
export { meanStd, methodLabel, summarize, TABLE_METRICS, type MeanStd, type MethodSummary, type MetricKey } from './report-summary.js';
export * from './run-explain.js';
export * from './invocations.js';
export * from './explain-model.js';
export * from './log-progress.js';
export * from './worker-pool.js';
export * from './types.js';
export * from './base-models.js';
export * from './quality.js';
export * from './methods/index.js';
export * from './tasks/index.js';
export * from './fairness-model.js';
export * from './fairness-audit.js';
