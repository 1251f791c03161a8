/**
 * `xrec bench coldstart`: the PromptRec cold-start benchmark (the bench app's `coldstart` task) with flags
 * instead of an options file — zero-shot, few-shot and transferable prompts on the shipped base models against
 * random, popularity, matrix factorisation and the profile baselines, in system, user or item cold start.
 */
import type { Command } from 'commander';
import { ConfigError } from '@xrec/core';
import { benchGroup, runBenchTask } from './bench-group.js';

/** `--seeds 1,2,3` → [1, 2, 3] (non-negative integers). */
export function parseSeeds(v: string): number[] {
  const xs = v.split(',').map((s) => s.trim());
  if (xs.length === 0 || xs.some((s) => !/^\d+$/.test(s))) throw new ConfigError(`--seeds: expected comma-separated non-negative integers, got '${v}'`);
  return xs.map(Number);
}

export function registerBenchColdstart(program: Command): void {
  benchGroup(program)
    .command('coldstart')
    .description('PromptRec cold start: prompting xrec-base / xrec-base-mlm (zero-shot, few-shot, TPPT) vs random, popularity, MF and profile baselines; AUC, GAUC, NDCG@10')
    .option('--dataset <name>', 'ml-100k | coupon', 'ml-100k')
    .option('--protocol <name>', 'system | user | item (user / item: 20% of the users / items are cold)', 'system')
    .option('--profile <name>', 'smoke | quick | full (test rows per seed: 300 / 3,000 / all)', 'quick')
    .option('--seeds <list>', "comma-separated seeds (default the paper's five: 41905,1640,18025,14629,48265)", parseSeeds)
    .option('--no-few-shot', 'skip few-shot prompt tuning')
    .option('--no-tppt', 'skip transferable prompts (trained on the other dataset)')
    .option('--out <dir>', 'output directory (report.md, report.json, gauc.svg, runs/ for reuse)', 'bench-coldstart')
    .option('--json', 'print the summary as one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  xrec bench coldstart --dataset ml-100k --profile quick --out out/coldstart-ml
  xrec bench coldstart --dataset coupon --protocol user --profile smoke --seeds 1,2 --out out/coldstart-coupon-user
  xrec bench coldstart --profile full --no-few-shot --no-tppt --out out/coldstart-ml-full   # every test row: zero-shot and baselines

Finished seeds are kept under <out>/runs and reused when the same settings run again. Within a run, a zero-shot
score is computed once per row, so the full profile's overlapping test sets cost one pass over the data.
Data: movielens-100k/ and uci-in-vehicle-coupon/ in the data directory (--data-dir or XREC_DATA_DIR).`,
    )
    .action(async (o: { dataset: string; protocol: string; profile: string; seeds?: number[]; fewShot: boolean; tppt: boolean; out: string; json?: boolean }, cmd: Command) => {
      await runBenchTask('coldstart', o.out, { dataset: o.dataset, protocol: o.protocol, profile: o.profile, fewShot: o.fewShot, tppt: o.tppt, ...(o.seeds ? { seeds: o.seeds } : {}) }, o.json, cmd);
    });
}
