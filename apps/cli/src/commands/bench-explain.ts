/**
 * `xrec bench explain`: PEPLER variants + ablation + retrieval baseline on an explanation dataset, with a
 * report (report.json, report.md, SVG charts, per-run generated.jsonl) — see @xrec/bench.
 * `xrec explain --model DIR --user U --item I`: explanation and predicted rating from a saved PEPLER model.
 */
import type { Command } from 'commander';
import { cpus } from 'node:os';
import { ConfigError, resolveDataDir } from '@xrec/core';
import { explainMethods, explainPair, runBenchExplain } from '@xrec/bench';
import { cliWorkers } from '../args.js';
import { terminalProgress } from '../progress.js';
import { benchGroup } from './bench-group.js';

interface BenchExplainCliOptions {
  dataset: string;
  profile: string;
  seeds?: string;
  splits?: string;
  methods?: string;
  out: string;
  jobs?: string;
  workers?: number | 'auto';
}

export function registerBenchExplain(program: Command): void {
  const bench = benchGroup(program);
  bench
    .command('explain')
    .description('every registered method (PEPLER-D, PEPLER (+LoRA), PEPLER-MF/MLP on xrec-base, ablations, retrieval) on each split and seed; writes report.json, report.md, SVG charts, generated.jsonl per run')
    .option('--dataset <name|dir>', "'default', xrec-yelp|xrec-amazon|xrec-google, a `xrec data build` directory or a PETER directory", 'default')
    .option('--profile <name>', 'smoke | quick | full', 'quick')
    .option('--seeds <n>', 'seeds per split (default: the profile\'s)')
    .option('--splits <n>', 'run the first n splits (default: the profile\'s: smoke/quick 1, full 5)')
    .option('--methods <list>', `comma-separated method ids (default: the profile's):\n${explainMethods()
      .map((m) => `  ${m.id.padEnd(18)} ${m.label}`)
      .join('\n')}`)
    .requiredOption('--out <dir>', 'output directory (finished runs in it are reused)')
    .option('--jobs <n>', 'runs trained at once, one process each (default: CPUs, at most 2)')
    .option('--workers <n|auto>', 'data-parallel worker threads inside each PEPLER run (default 0; e.g. --jobs 1 --workers 1 on 2 cores)', cliWorkers)
    .addHelpText(
      'after',
      `
Examples:
  xrec bench explain --out results/quick                      # the main job: quick profile on the bundled data
  xrec bench explain --dataset ./my-dataset --out results/mine # a dataset made by \`xrec data build\`
  xrec bench explain --profile smoke --methods retrieval,pepler-d --out /tmp/smoke
  xrec bench explain --profile full --splits 1 --seeds 1 --out results/full  # the paper-style run on split 1 only`,
    )
    .action(async (opts: BenchExplainCliOptions, cmd: Command) => {
      const dataDir = resolveDataDir(cmd.optsWithGlobals<{ dataDir?: string }>().dataDir);
      let seeds: number | undefined;
      if (opts.seeds !== undefined) {
        seeds = Number(opts.seeds);
        if (!Number.isInteger(seeds) || seeds < 1) throw new ConfigError(`--seeds must be a positive integer, got '${opts.seeds}'`);
      }
      let splits: number | undefined;
      if (opts.splits !== undefined) {
        splits = Number(opts.splits);
        if (!Number.isInteger(splits) || splits < 1) throw new ConfigError(`--splits must be a positive integer, got '${opts.splits}'`);
      }
      const jobs = opts.jobs === undefined ? Math.max(1, Math.min(2, cpus().length)) : Number(opts.jobs);
      if (!Number.isInteger(jobs) || jobs < 1) throw new ConfigError(`--jobs must be a positive integer, got '${opts.jobs}'`);
      const r = await runBenchExplain({
        concurrency: jobs,
        dataset: opts.dataset,
        dataDir: dataDir.path,
        profile: opts.profile as 'quick',
        ...(seeds === undefined ? {} : { seeds }),
        ...(splits === undefined ? {} : { splits }),
        ...(opts.workers === undefined ? {} : { workers: opts.workers }),
        ...(opts.methods === undefined ? {} : { methods: opts.methods }),
        out: opts.out,
        progress: terminalProgress(),
        command: `xrec ${process.argv.slice(2).join(' ')}`,
      });
      process.stdout.write(`wrote ${r.reportFiles.join(', ')} (${r.runs.length} runs, ${(r.wallSeconds / 60).toFixed(1)} min)\n`);
    });

  program
    .command('explain')
    .description('explain a user-item pair with a saved PEPLER model (and predict the rating for PEPLER-MF/MLP)')
    .requiredOption('--model <dir>', 'a model directory saved by PEPLER (e.g. <bench out>/runs/pepler-mf/split1-seed1/model)')
    .requiredOption('--user <id>', 'user id (as in the training data)')
    .requiredOption('--item <id>', 'item id (as in the training data)')
    .option('--json', 'print one JSON object')
    .action(async (opts: { model: string; user: string; item: string; json?: boolean }) => {
      const r = await explainPair(opts.model, opts.user, opts.item);
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else process.stdout.write(`${r.explanation}\npredicted rating: ${r.rating === undefined ? `n/a (${r.variant} has no rating head)` : r.rating.toFixed(3)}\n`);
    });
}
