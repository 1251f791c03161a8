/** The explanation task: PEPLER variants and baselines on an explanation dataset (runBenchExplain). */
import { ConfigError } from '@xrec/core';
import { EXPLANATION_METRIC_KEYS } from '@xrec/metrics';
import { runBenchExplain, type BenchExplainOptions } from '../run-explain.js';
import { registerBenchTask } from './registry.js';

const ALLOWED = ['dataset', 'profile', 'methods', 'seeds', 'splits', 'concurrency', 'workers'] as const;

registerBenchTask({
  id: 'explain',
  label: 'Explanation generation',
  description: 'PEPLER variants, ablations and a retrieval baseline: BLEU, ROUGE, USR, FMR, FCR, DIV (+ RMSE/MAE) per method',
  metrics: [...EXPLANATION_METRIC_KEYS, 'rmse', 'mae'],
  async run(ctx) {
    const unknown = Object.keys(ctx.options).filter((k) => !(ALLOWED as readonly string[]).includes(k));
    if (unknown.length > 0) throw new ConfigError(`bench task 'explain': unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${ALLOWED.join(', ')})`);
    const r = await runBenchExplain({ dataset: 'default', profile: 'quick', ...(ctx.options as Partial<BenchExplainOptions>), out: ctx.out, ...(ctx.dataDir ? { dataDir: ctx.dataDir } : {}), progress: ctx.progress } as BenchExplainOptions);
    return { reportFiles: r.reportFiles, summary: { runs: r.runs.length, wallSeconds: r.wallSeconds } };
  },
});
