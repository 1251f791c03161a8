/**
 * `xrec bench fairness`: the UP5 fairness benchmark (the bench app's `fairness` task) with flags — counterfactually
 * fair prompts on a frozen P5 on Insurance, a fresh attacker's AUC per attribute and hit@k with the prompt on.
 */
import type { Command } from 'commander';
import { ConfigError } from '@xrec/core';
import { benchGroup, runBenchTask } from './bench-group.js';

export function registerBenchFairness(program: Command): void {
  benchGroup(program)
    .command('fairness')
    .description('UP5: counterfactually-fair prompts on a frozen P5 (Insurance); attacker ROC-AUC per attribute (0.5 = fair) and hit@k')
    .option('--dataset <name>', 'insurance (MovieLens-100K is not built yet)', 'insurance')
    .option('--attributes <list>', 'comma-separated: gender, marital_status, occupation, activity', 'gender,marital_status,occupation,activity')
    .option('--profile <name>', 'smoke | quick | full', 'quick')
    .option('--seed <n>', 'data split and model seed', '0')
    .option('--lambda <x>', "the discriminator's weight in the prompt's loss", '1')
    .option('--tokens <n>', 'prompt length per attention', '10')
    .option('--out <dir>', 'output directory (report.md, report.json, tradeoff.svg; the model: p5/, up5.json, up5.safetensors, users.json)', 'bench-fairness')
    .option('--no-mixture', 'skip the prompt mixture (its rows: every attribute pair and the full set)')
    .option('--json', 'print the summary as one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  xrec bench fairness --profile quick --out out/fairness
  xrec bench fairness --attributes marital_status --tokens 5 --lambda 1 --profile smoke --out out/fair-smoke

The P5 it trains is kept in <out>/p5 and reused when the command runs again with the same --out.`,
    )
    .action(async (o: { dataset: string; attributes: string; profile: string; seed: string; lambda: string; tokens: string; out: string; mixture: boolean; json?: boolean }, cmd: Command) => {
      if (o.dataset !== 'insurance') throw new ConfigError(`--dataset: only 'insurance' is built so far, got '${o.dataset}'`);
      const num = (v: string) => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : Number.NaN);
      const options = { attributes: o.attributes.split(',').map((a) => a.trim()).filter(Boolean), profile: o.profile, seed: num(o.seed), lambda: num(o.lambda), tokens: num(o.tokens), mixture: o.mixture };
      await runBenchTask('fairness', o.out, options, o.json, cmd);
    });
}
