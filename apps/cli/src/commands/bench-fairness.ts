/**
 * `xrec bench fairness`: the UP5 fairness benchmark (the bench app's `fairness` task) with flags — counterfactually
 * fair prompts on a frozen P5 (Insurance or MovieLens-100K), the prompt mixture and two baselines; a fresh
 * attacker's AUC per attribute and hit@k for each.
 */
import type { Command } from 'commander';
import { cliFloat, cliWorkers } from '../args.js';
import { benchGroup, runBenchTask } from './bench-group.js';

export function registerBenchFairness(program: Command): void {
  benchGroup(program)
    .command('fairness')
    .description('UP5: counterfactually-fair prompts on a frozen P5 (Insurance or MovieLens-100K); attacker ROC-AUC per attribute (0.5 = fair) and hit@k, beside adversarial fine-tuning and linear projection')
    .option('--dataset <name>', 'insurance | ml-100k', 'insurance')
    .option('--attributes <list>', 'comma-separated (insurance: gender, marital_status, occupation, activity; ml-100k: gender, age, occupation); default all')
    .option('--profile <name>', 'smoke | quick | full', 'quick')
    .option('--seed <n>', 'data split and model seed', '0')
    .option('--lambda <x>', "the adversary's weight in the prompt's loss", '4')
    .option('--tokens <n>', 'prompt length per attention', '10')
    .option('--lr <x>', "the prompts' learning rate (default 3e-3; UP5's prefix_lr is 1e-3)", cliFloat('--lr'))
    .option('--discriminator-lr <x>', "the discriminators' learning rate, pre-training and adversarial updates (default 3e-4; UP5's dis_lr is 1e-4)", cliFloat('--discriminator-lr'))
    .option('--adversary <name>', "confusion (cross-entropy to --confusion-target) | negative-ce (UP5's −L_disc) | mmd (a kernel MMD penalty between the classes, no discriminator; not UP5's, the default: it hides the most at the least cost)", 'mmd')
    .option('--confusion-target <name>', "what confusion matches: prior (the attribute's class distribution in the training examples) | uniform", 'prior')
    .option('--pretrain <epochs>', "discriminator pre-training on the unprompted representations (default: the profile's)")
    .option('--epochs <n>', "epochs of each adversarial training: prompts, mixture, fine-tuning (default: the profile's)")
    .option('--dropout <p>', "the P5's dropout in training (default as xrec bench rec: 0, or 0.1 in the full profile)")
    .option('--workers <n|auto>', 'data-parallel worker threads inside each training: the P5, the prompts, the mixture, the fine-tuning baseline (default 0)', cliWorkers)
    .option('--out <dir>', 'output directory (report.md, report.json, tradeoff.svg, representations; the model: p5/, up5.json, up5.safetensors, users.json)', 'bench-fairness')
    .option('--no-mixture', 'skip the prompt mixture (its rows: every attribute pair and the full set)')
    .option('--mixture-keep <w>', "weight (× λ) of the mixture's terms that keep the unselected attributes readable (default 0: none; 1 is UP5's loss)", cliFloat('--mixture-keep'))
    .option('--mixture-lambda <x>', "the mixture's λ (default: --lambda)", cliFloat('--mixture-lambda'))
    .option('--mixture-lr <x>', "the mixture's learning rate (default 1e-3, UP5's prefix_lr)", cliFloat('--mixture-lr'))
    .option('--mixture-init <init>', "how the mixing attention's value and output maps start: identity (the default: the mixed prefix starts as an average of the selected prompts' positions) | xavier (UP5's)")
    .option('--no-baselines', 'skip the adversarial fine-tuning and linear projection rows')
    .option('--json', 'print the summary as one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  xrec bench fairness --profile quick --out out/fairness
  xrec bench fairness --dataset ml-100k --attributes gender,age --profile quick --out out/fairness-ml
  xrec bench fairness --attributes marital_status --tokens 5 --adversary confusion --profile smoke --out out/fair-smoke
  xrec bench fairness --attributes marital_status,activity --adversary negative-ce --lambda 1 --lr 1e-3 --discriminator-lr 1e-4 --no-mixture --out out/fair-up5
  xrec bench fairness --attributes marital_status,activity --adversary confusion --lambda 2 --confusion-target uniform --no-mixture --out out/fair-uniform
  xrec bench fairness --dataset ml-100k --workers auto --out out/fairness-ml
  xrec bench fairness --attributes marital_status,activity --mixture-init xavier --mixture-lr 3e-3 --no-baselines --out out/fair-mix-up5
  xrec bench fairness --attributes activity --lambda 8 --epochs 12 --no-mixture --no-baselines --out out/fair-activity

Data: insurance-fairness/ or movielens-100k/ in the data directory (--data-dir or XREC_DATA_DIR).
The P5 it trains is kept in <out>/p5 and reused when the command runs again with the same --out.`,
    )
    .action(
      async (
        o: { dataset: string; attributes?: string; profile: string; seed: string; lambda: string; tokens: string; lr?: number; discriminatorLr?: number; adversary: string; confusionTarget: string; pretrain?: string; epochs?: string; dropout?: string; workers?: number | 'auto'; out: string; mixture: boolean; mixtureKeep?: number; mixtureLambda?: number; mixtureInit?: string; mixtureLr?: number; baselines: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const num = (v: string) => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : Number.NaN);
        const options = {
          dataset: o.dataset,
          ...(o.attributes !== undefined ? { attributes: o.attributes.split(',').map((a) => a.trim()).filter(Boolean) } : {}),
          profile: o.profile,
          seed: num(o.seed),
          lambda: num(o.lambda),
          tokens: num(o.tokens),
          ...(o.lr !== undefined ? { lr: o.lr } : {}),
          ...(o.discriminatorLr !== undefined ? { discriminatorLr: o.discriminatorLr } : {}),
          adversary: o.adversary,
          confusionTarget: o.confusionTarget,
          ...(o.pretrain !== undefined ? { pretrain: num(o.pretrain) } : {}),
          ...(o.epochs !== undefined ? { epochs: num(o.epochs) } : {}),
          ...(o.dropout !== undefined ? { dropout: num(o.dropout) } : {}),
          ...(o.workers !== undefined ? { workers: o.workers } : {}),
          mixture: o.mixture,
          ...(o.mixtureKeep !== undefined ? { mixtureKeep: o.mixtureKeep } : {}),
          ...(o.mixtureLambda !== undefined ? { mixtureLambda: o.mixtureLambda } : {}),
          ...(o.mixtureInit !== undefined ? { mixtureInit: o.mixtureInit } : {}),
          ...(o.mixtureLr !== undefined ? { mixtureLr: o.mixtureLr } : {}),
          baselines: o.baselines,
        };
        await runBenchTask('fairness', o.out, options, o.json, cmd);
      },
    );
}
