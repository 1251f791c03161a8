/**
 * @xrec/metrics: explanation metrics identical to the PETER / PEPLER evaluation (BLEU, ROUGE, USR, FMR,
 * FCR, DIV, RMSE, MAE), ranking metrics (HR, NDCG, MRR, AUC, GAUC), fairness (attribute leakage, group
 * gaps) and popularity bias (Gini, long-tail coverage, average popularity). Pure TypeScript.
 */
export * from './tokenize.js';
export * from './bleu.js';
export * from './rouge.js';
export * from './features.js';
export * from './rating.js';
export * from './explanation.js';
export * from './ranking.js';
export * from './auc.js';
export * from './probe.js';
export * from './fairness.js';
export * from './popularity.js';
export * from './io.js';
export * from './explain-files.js';
export * from './protocols.js';
