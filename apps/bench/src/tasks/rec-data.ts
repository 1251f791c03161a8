/**
 * The recommendation task's data (issue: T5 and P5): examples for P5 and the interactions the baselines train
 * on, for Insurance (UP5's protocols) and MovieLens-100K (leave-one-out), sequential or direct.
 */
import { join } from 'node:path';
import { findDataset, NotFoundError } from '@xrec/core';
import { loadInsuranceTsv, loadMovieLens100K, NegativeSampler, type Interaction } from '@xrec/data';
import { directExamples, INSURANCE_PRODUCTS, insuranceProduct, interactionsOf, leaveOneOutSequential, shuffledSequentialSplits, type P5Domain, type P5Task, type RecSplits } from '@xrec/p5';

export type RecDataset = 'insurance' | 'ml-100k';

/**
 * P5's embedding tables' learning-rate multiplier per dataset (`trainP5`'s `embeddingLrScale`; the rec and
 * fairness tasks). MovieLens writes 1,682 items and 943 users whose ids are rare tokens: at 1 the P5s stay
 * near popularity (sequential hit@10 0.058 with item tokens), at 10 they learn (0.086). Insurance's 21
 * product codes and sub-word user ids are frequent pieces: 10 gave no gain there (quick, seed 0: sequential
 * hit@1 0.848 vs 0.845, direct 0.781 vs 0.796), so it keeps plain AdamW.
 */
export const P5_EMBEDDING_LR_SCALE: Readonly<Record<RecDataset, number>> = { insurance: 1, 'ml-100k': 10 };

/**
 * P5's dropout in training, per bench profile (the rec and fairness tasks, both datasets). T5 and P5 use 0.1 on
 * a pre-trained T5-small. The smoke and quick profiles' small T5 (d_model 64, 2 + 2 layers) learns ids far
 * better without it; the full profile's larger T5 (d_model 128, 3 + 3 layers, all training prompts) overfits
 * without it — Insurance direct hit@1 0.767 at 0 (validation loss best after 2 epochs, early stop after 4)
 * against 0.810 at 0.1 — so it keeps 0.1. Both measured in `apps/bench/results/rec-quick/README.md` and
 * `apps/bench/results/rec-full/README.md`.
 */
export const P5_DROPOUT: Readonly<Record<string, number>> = { smoke: 0, quick: 0, full: 0.1 };

export interface RecData {
  readonly domain: P5Domain;
  readonly catalogue: readonly string[];
  readonly splits: RecSplits;
  /** What the baselines may learn from: every interaction except the validation and test targets. */
  readonly observed: readonly Interaction[];
  /** MovieLens direct: draws a user's negative candidates (items never rated), for candidates redrawn in training. */
  readonly candidateSampler?: NegativeSampler;
}

const FOLDERS: Readonly<Record<RecDataset, string>> = { insurance: 'insurance-fairness', 'ml-100k': 'movielens-100k' };

function folder(dataset: RecDataset, dataDir: string | undefined): string {
  const dir = findDataset(FOLDERS[dataset], dataDir);
  if (!dir) throw new NotFoundError(`bench task 'rec': ${FOLDERS[dataset]} not found in ${dataDir ?? 'the data directory'} (set XREC_DATA_DIR or --data-dir)`);
  return dir;
}

/** Interactions minus the (user, target) pairs of `held` examples. */
function without(rows: readonly Interaction[], held: readonly { user: string; target: string }[]): Interaction[] {
  const h = new Set(held.map((e) => `${e.user}\u0000${e.target}`));
  return rows.filter((r) => !h.has(`${r.user}\u0000${r.item}`));
}

export function loadRecData(dataset: RecDataset, task: P5Task, seed: number, dataDir: string | undefined): RecData {
  const dir = folder(dataset, dataDir);
  if (dataset === 'insurance') {
    const all = interactionsOf(loadInsuranceTsv(join(dir, 'insurance.all.tsv')).interactions, insuranceProduct);
    if (task === 'sequential') {
      const splits = shuffledSequentialSplits(all, seed);
      return { domain: 'insurance', catalogue: INSURANCE_PRODUCTS, splits, observed: without(all, [...splits.validation, ...splits.test]) };
    }
    const part = (f: string) => interactionsOf(loadInsuranceTsv(join(dir, `insurance.${f}.tsv`)).interactions, insuranceProduct);
    const train = part('train');
    const mk = (rows: Interaction[], s: number) => directExamples(rows, all, INSURANCE_PRODUCTS, { seed: seed * 31 + s });
    return { domain: 'insurance', catalogue: INSURANCE_PRODUCTS, splits: { train: mk(train, 1), validation: mk(part('validation'), 2), test: mk(part('test'), 3) }, observed: train };
  }
  const ml = loadMovieLens100K(dir);
  const rows = interactionsOf(ml.ratings);
  const catalogue = ml.items.map((i) => i.item);
  const loo = leaveOneOutSequential(rows, { minInteractions: 5, maxHistory: 20 });
  const observed = without(rows, [...loo.validation, ...loo.test]);
  if (task === 'sequential') return { domain: 'movie', catalogue, splits: loo, observed };
  const direct = (exs: RecSplits['test'], s: number) =>
    directExamples(
      exs.map((e) => ({ user: e.user, item: e.target })),
      rows,
      catalogue,
      { negatives: 99, seed: seed * 31 + s },
    );
  const splits = { train: direct(loo.train, 1), validation: direct(loo.validation, 2), test: direct(loo.test, 3) };
  return { domain: 'movie', catalogue, splits, observed, candidateSampler: new NegativeSampler(catalogue, rows) };
}
