/**
 * `xrec bench rec`: the P5 recommendation benchmark (the bench app's `rec` task) with flags instead of an
 * options file — P5 vs popularity and BPR-MF on Insurance or MovieLens-100K, sequential or direct.
 */
import type { Command } from 'commander';
import { cliFloat, cliInt, cliWorkers } from '../args.js';
import { benchGroup, runBenchTask } from './bench-group.js';

export function registerBenchRec(program: Command): void {
  benchGroup(program)
    .command('rec')
    .description('P5 (a small T5 trained here; sub-word, whole-word and item-token ids; direct runs also rank by the yes/no prompt) vs popularity and BPR-MF: hit@1/3/5/10, NDCG@5/10')
    .option('--dataset <name>', 'insurance | ml-100k', 'insurance')
    .option('--task <task>', 'sequential | direct', 'sequential')
    .option('--profile <name>', 'smoke | quick | full (quick: about 15 minutes on 2 cores)', 'quick')
    .option('--seed <n>', 'data split and model seed', '0')
    .option('--epochs <n>', "training epochs of every trained model (default: the profile's)", cliInt('--epochs'))
    .option('--examples <n>', "training examples drawn per epoch (default: the profile's)", cliInt('--examples'))
    .option('--embedding-lr-scale <x>', "learning-rate multiplier of P5's embedding tables (default: 10 on ml-100k, 1 = plain AdamW on insurance)", cliFloat('--embedding-lr-scale'))
    .option('--train-negatives <n>', 'ml-100k direct: negatives in a training prompt, drawn anew every epoch (default 19; test prompts list 99)', cliInt('--train-negatives'))
    .option('--dropout <p>', "P5's dropout in training (default 0 in the smoke and quick profiles, whose small T5 learns ids better without; 0.1, T5's own, in the full profile, whose larger T5 overfits without)", cliFloat('--dropout'))
    .option('--workers <n|auto>', "data-parallel worker threads inside each P5's training (default 0)", cliWorkers)
    .option('--methods <list>', 'trained models to run, comma-separated: p5, p5-whole-word, p5-item-tokens, p5-yes-no (direct), next-item-transformer (ml-100k sequential); popularity and BPR-MF always run')
    .option('--out <dir>', 'output directory (report.md, report.json, hit.svg, runs/ for reuse)', 'bench-rec')
    .option('--json', 'print the summary as one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  xrec bench rec --dataset insurance --task sequential --profile quick --out out/rec-ins-seq
  xrec bench rec --dataset ml-100k --task direct --profile smoke --out out/rec-ml-direct
  xrec bench rec --dataset insurance --task direct --methods p5 --epochs 6 --examples 45000 --out out/rec-ins-direct-long

Finished methods are kept under <out>/runs and reused when the same settings run again.
Data: insurance-fairness/ and movielens-100k/ in the data directory (--data-dir or XREC_DATA_DIR).`,
    )
    .action(async (o: { dataset: string; task: string; profile: string; seed: string; epochs?: number; examples?: number; embeddingLrScale?: number; trainNegatives?: number; dropout?: number; workers?: number | 'auto'; methods?: string; out: string; json?: boolean }, cmd: Command) => {
      const seed = /^\d+$/.test(o.seed) ? Number(o.seed) : Number.NaN;
      const methods = o.methods?.split(',').map((m) => m.trim()).filter((m) => m !== '');
      await runBenchTask('rec', o.out, { dataset: o.dataset, task: o.task, profile: o.profile, seed, ...(o.epochs ? { epochs: o.epochs } : {}), ...(o.examples ? { examples: o.examples } : {}), ...(o.embeddingLrScale !== undefined ? { embeddingLrScale: o.embeddingLrScale } : {}), ...(o.trainNegatives ? { trainNegatives: o.trainNegatives } : {}), ...(o.dropout !== undefined ? { dropout: o.dropout } : {}), ...(o.workers !== undefined ? { workers: o.workers } : {}), ...(methods ? { methods } : {}) }, o.json, cmd);
    });
}
