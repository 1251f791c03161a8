/**
 * `xrec metrics ...`: evaluation metrics from @xrec/metrics.
 *   xrec metrics explain --input ROWS.jsonl [--features FEATURES.txt] [--min-rating A --max-rating B]
 * prints one JSON object: n, bleu1, bleu4, rouge{1,2,L}_{f,p,r}, usr, usn, fmr, fcr, div (+ rmse, mae when
 * every row has `rating` and `predicted`), computed exactly as the PETER / PEPLER evaluation does.
 */
import type { Command } from 'commander';
import { ConfigError } from '@xrec/core';
import { explainFiles, formatExplanationMetrics } from '@xrec/metrics';

function numberOption(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`--${name} must be a number, got '${v}'`);
    return n;
  };
}

interface ExplainOpts {
  input: string;
  features?: string;
  minRating?: number;
  maxRating?: number;
}

export function registerMetrics(program: Command): void {
  const metrics = program.command('metrics').description('evaluation metrics (explanations, as PETER/PEPLER compute them)');

  metrics
    .command('explain')
    .description(
      'BLEU-1/4, ROUGE-1/2/L (F, P, R), USR/USN, FMR, FCR, DIV (+ RMSE/MAE) of generated explanations; prints one JSON object',
    )
    .requiredOption('--input <file>', 'JSON Lines: {"reference": str, "generated": str, "feature"?: str, "rating"?: number, "predicted"?: number}')
    .option('--features <file>', "the dataset's feature set, one per line (default: the rows' distinct features)")
    .option('--min-rating <a>', 'lowest rating of the dataset (predictions are clipped; default: min of the rows)', numberOption('min-rating'))
    .option('--max-rating <b>', 'highest rating of the dataset (default: max of the rows)', numberOption('max-rating'))
    .option('--json', 'print one JSON object (the default and only output format of this command; accepted for uniformity)')
    .action((opts: ExplainOpts) => {
      const { metrics: m, notes } = explainFiles({
        input: opts.input,
        ...(opts.features !== undefined ? { features: opts.features } : {}),
        ...(opts.minRating !== undefined ? { minRating: opts.minRating } : {}),
        ...(opts.maxRating !== undefined ? { maxRating: opts.maxRating } : {}),
      });
      for (const note of notes) process.stderr.write(`xrec metrics explain: note: ${note}\n`);
      process.stdout.write(`${formatExplanationMetrics(m)}\n`);
    });
}
