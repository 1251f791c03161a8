/**
 * `xrec bench rec`: the P5 recommendation benchmark (the bench app's `rec` task) with flags instead of an
 * options file — P5 vs popularity and BPR-MF on Insurance or MovieLens-100K, sequential or direct.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { resolveDataDir } from '@xrec/core';
import { getBenchTask } from '@xrec/bench';
import { terminalProgress } from '../progress.js';

export function registerBenchRec(program: Command): void {
  const bench = program.commands.find((c) => c.name() === 'bench') ?? program.command('bench').description('benchmarks');
  bench
    .command('rec')
    .description('P5 (a small T5 trained here, sub-word and whole-word ids) vs popularity and BPR-MF: hit@1/3/5/10, NDCG@5/10')
    .option('--dataset <name>', 'insurance | ml-100k', 'insurance')
    .option('--task <task>', 'sequential | direct', 'sequential')
    .option('--profile <name>', 'smoke | quick | full (quick: about 15 minutes on 2 cores)', 'quick')
    .option('--seed <n>', 'data split and model seed', '0')
    .option('--out <dir>', 'output directory (report.md, report.json, hit.svg, runs/ for reuse)', 'bench-rec')
    .option('--json', 'print the summary as one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  xrec bench rec --dataset insurance --task sequential --profile quick --out out/rec-ins-seq
  xrec bench rec --dataset ml-100k --task direct --profile smoke --out out/rec-ml-direct

Finished methods are kept under <out>/runs and reused when the same settings run again.
Data: insurance-fairness/ and movielens-100k/ in the data directory (--data-dir or XREC_DATA_DIR).`,
    )
    .action(async (o: { dataset: string; task: string; profile: string; seed: string; out: string; json?: boolean }, cmd: Command) => {
      const t = getBenchTask('rec');
      const dataDir = resolveDataDir(cmd.optsWithGlobals<{ dataDir?: string }>().dataDir).path;
      const seed = /^\d+$/.test(o.seed) ? Number(o.seed) : Number.NaN;
      const r = await t.run({ out: resolve(o.out), dataDir, options: { dataset: o.dataset, task: o.task, profile: o.profile, seed }, progress: terminalProgress() });
      if (o.json) process.stdout.write(`${JSON.stringify({ task: t.id, reportFiles: r.reportFiles, ...r.summary })}\n`);
      else process.stdout.write(`${t.label}: wrote ${r.reportFiles.join(', ')}\n`);
    });
}
