/**
 * The fairness task's data: the P5 examples (the recommendation task's protocols), the sensitive attributes
 * with their attacker user splits, and one prompt per attacker user for the user representations.
 * - Insurance (UP5's sequential protocol): gender, marital status, occupation and activity, binary in the
 *   provided `insurance_u_<attr>.attacker.{train,test}.tsv` user splits (OtPrFairness').
 * - MovieLens-100K (leave-one-out, as the P5 issue): gender (M/F), age in MovieLens-1M's 7 bins and occupation
 *   (21 classes) from `u.user`; no attacker split is provided, so the users are split 80/20 by the seed (every
 *   user is in the P5's training data, as in UP5's MovieLens-1M runs).
 */
import { join } from 'node:path';
import { ConfigError, findDataset, NotFoundError, Rng } from '@xrec/core';
import { loadInsuranceAttackerSplit, loadMovieLens100K } from '@xrec/data';
import type { RecExample } from '@xrec/p5';
import type { AttackerSplit } from '../fairness-attack.js';
import { loadRecData, type RecData, type RecDataset } from './rec-data.js';

export const FAIRNESS_ATTRIBUTES: Readonly<Record<RecDataset, readonly string[]>> = {
  insurance: ['gender', 'marital_status', 'occupation', 'activity'],
  'ml-100k': ['gender', 'age', 'occupation'],
};

/** MovieLens-1M's age groups (its README), applied to MovieLens-100K's ages in years. */
export const AGE_BINS: readonly { readonly label: string; readonly below: number }[] = [
  { label: 'under 18', below: 18 },
  { label: '18-24', below: 25 },
  { label: '25-34', below: 35 },
  { label: '35-44', below: 45 },
  { label: '45-49', below: 50 },
  { label: '50-55', below: 56 },
  { label: '56+', below: Number.POSITIVE_INFINITY },
];

export function ageBin(age: number): number {
  return AGE_BINS.findIndex((b) => age < b.below);
}

export interface FairnessData {
  readonly rec: RecData;
  readonly attributes: readonly string[];
  /** Per attribute: the attacker users (at most `attackerUsers` each side), with their classes. */
  readonly splits: Readonly<Record<string, AttackerSplit>>;
  /** Per attribute: the class names, where the data names them. */
  readonly classNames: Readonly<Record<string, readonly string[]>>;
  /** One prompt per user for the user representations (its history; the target is not read). */
  userExample(user: string): RecExample;
}

export function loadFairnessData(dataset: RecDataset, attributes: readonly string[], seed: number, attackerUsers: number, dataDir: string | undefined): FairnessData {
  const known = FAIRNESS_ATTRIBUTES[dataset];
  for (const a of attributes) if (!known.includes(a)) throw new ConfigError(`bench task 'fairness': unknown attribute '${a}' for ${dataset} (known: ${known.join(', ')})`);
  const rec = loadRecData(dataset, 'sequential', seed, dataDir);
  const cap = <T>(l: T[]) => (Number.isFinite(attackerUsers) ? l.slice(0, attackerUsers) : l);
  if (dataset === 'insurance') {
    const dir = findDataset('insurance-fairness', dataDir);
    if (!dir) throw new NotFoundError(`bench task 'fairness': insurance-fairness not found in ${dataDir ?? 'the data directory'}`);
    // one prompt per user: all the user's purchases but one as the history
    const itemsOf = new Map<string, string[]>();
    for (const r of rec.observed) itemsOf.set(r.user, [...(itemsOf.get(r.user) ?? []), r.item]);
    for (const ex of [...rec.splits.validation, ...rec.splits.test]) itemsOf.set(ex.user, [...(itemsOf.get(ex.user) ?? []), ex.target]);
    const cut = (m: Map<string, number>) => cap([...m].filter(([u]) => itemsOf.has(u)));
    const splits = Object.fromEntries(attributes.map((a) => [a, { train: cut(loadInsuranceAttackerSplit(join(dir, `insurance_u_${a}.attacker.train.tsv`), a)), test: cut(loadInsuranceAttackerSplit(join(dir, `insurance_u_${a}.attacker.test.tsv`), a)) }]));
    return {
      rec,
      attributes,
      splits,
      classNames: {},
      userExample(u) {
        const its = itemsOf.get(u) ?? [];
        return { user: u, history: its.length > 1 ? its.slice(0, -1) : its, target: its[its.length - 1] ?? '' };
      },
    };
  }
  const dir = findDataset('movielens-100k', dataDir);
  if (!dir) throw new NotFoundError(`bench task 'fairness': movielens-100k not found in ${dataDir ?? 'the data directory'}`);
  const ml = loadMovieLens100K(dir);
  // the leave-one-out test example of each user: the latest items as the history
  const exampleOf = new Map(rec.splits.test.map((e) => [e.user, e]));
  const users = new Rng(seed).fork('attacker-split').shuffle(ml.users.filter((u) => exampleOf.has(u.user)));
  const cut = Math.round(0.8 * users.length);
  const classOf: Record<string, (u: (typeof users)[number]) => number> = {
    gender: (u) => {
      if (u.gender !== 'M' && u.gender !== 'F') throw new ConfigError(`movielens-100k u.user: user ${u.user} has gender '${u.gender}' (expected M or F)`);
      return u.gender === 'M' ? 0 : 1;
    },
    age: (u) => ageBin(u.age),
    occupation: (u) => {
      const k = ml.occupations.indexOf(u.occupation);
      if (k < 0) throw new ConfigError(`movielens-100k u.user: user ${u.user} has occupation '${u.occupation}', not in u.occupation`);
      return k;
    },
  };
  const splits = Object.fromEntries(
    attributes.map((a) => {
      const pairs = users.map((u) => [u.user, classOf[a]!(u)] as [string, number]);
      return [a, { train: cap(pairs.slice(0, cut)), test: cap(pairs.slice(cut)) }];
    }),
  );
  const names: Record<string, readonly string[]> = { gender: ['M', 'F'], age: AGE_BINS.map((b) => b.label), occupation: ml.occupations };
  return {
    rec,
    attributes,
    splits,
    classNames: Object.fromEntries(attributes.map((a) => [a, names[a]!])),
    userExample: (u) => exampleOf.get(u) ?? { user: u, history: [], target: '' },
  };
}
