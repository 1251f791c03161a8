/**
 * The fairness task's options: profiles (model size and training budgets) and the checked settings of a run.
 * Every bad value is a ConfigError naming the option, thrown before any data loads.
 */
import { ConfigError } from '@xrec/core';
import { ADVERSARY_OBJECTIVES, CONFUSION_TARGETS, type AdversaryObjective, type ConfusionTarget } from '@xrec/up5';
import { FAIRNESS_ATTRIBUTES } from './fairness-data.js';
import { P5_DROPOUT, type RecDataset } from './rec-data.js';

export interface FairnessProfile {
  readonly p5Examples: number;
  readonly p5Epochs: number;
  readonly cfpExamples: number;
  readonly cfpEpochs: number;
  /** Epochs of discriminator pre-training on the unprompted representations. */
  readonly pretrain: number;
  readonly attackerUsers: number;
  readonly testExamples: number;
  readonly model: { dModel: number; nHeads: number; nLayers: number; dFF: number };
}

const PROFILES: Readonly<Record<string, FairnessProfile>> = {
  smoke: { p5Examples: 600, p5Epochs: 1, cfpExamples: 128, cfpEpochs: 1, pretrain: 1, attackerUsers: 400, testExamples: 60, model: { dModel: 32, nHeads: 2, nLayers: 1, dFF: 64 } },
  quick: { p5Examples: 29766, p5Epochs: 3, cfpExamples: 4000, cfpEpochs: 8, pretrain: 10, attackerUsers: 6000, testExamples: 500, model: { dModel: 64, nHeads: 4, nLayers: 2, dFF: 256 } },
  full: { p5Examples: 29766, p5Epochs: 10, cfpExamples: 29766, cfpEpochs: 3, pretrain: 20, attackerUsers: Number.POSITIVE_INFINITY, testExamples: 2913, model: { dModel: 128, nHeads: 4, nLayers: 3, dFF: 512 } },
};

/**
 * MovieLens-100K has 943 users: every one is a test user and an attacker user beyond the smoke profile. Ranking
 * all of them for every row is the run's largest cost, so its quick profile keeps 4 adversarial epochs (8 took
 * the run past the issue's 20 minutes on 2 cores).
 */
const profileFor = (dataset: RecDataset, p: FairnessProfile): FairnessProfile =>
  dataset === 'ml-100k' && p !== PROFILES.smoke ? { ...p, testExamples: Number.POSITIVE_INFINITY, attackerUsers: Number.POSITIVE_INFINITY, ...(p === PROFILES.quick ? { cfpEpochs: 4 } : {}) } : p;


/**
 * The default learning rates: the prompts', the mixture's and the discriminators'. UP5 uses 1e-3 and 1e-4
 * (`prefix_lr` for prompts and mixture, `dis_lr`) for many epochs on a GPU; in the quick profile's 8 epochs of
 * 4,000 examples 1e-3 hides too little and 1e-2 costs accuracy even at λ = 0, so the prompt trains at 3e-3 and
 * the discriminators, at UP5's ratio, at 3e-4. The mixture outputs keys and values directly (no
 * reparameterising MLP): at 3e-3 it cost 8–9% hit@5, at 1e-3 (from an identity start) 1.2% on Insurance's
 * marital status + activity (all measured in `apps/bench/results/fairness-quick/README.md`).
 */
export const FAIRNESS_LR = { prompt: 3e-3, mixture: 1e-3, discriminator: 3e-4 } as const;

/** The default objective: the kernel MMD between the classes at λ = 4 (UP5's discriminator game is `negative-ce`). */
export const FAIRNESS_OBJECTIVE = { adversary: 'mmd', lambda: 4 } as const;

export const MIXTURE_INITS = ['xavier', 'identity'] as const;
export type MixtureInit = (typeof MIXTURE_INITS)[number];
/**
 * The mixing attention's start (see `PromptMixtureConfig.identityValues`): identity, so the mixed prefix begins
 * as an average of the selected prompts' own positions (UP5's xavier start cost 1.6 more points of hit@5 at
 * lr 3e-3, λ = 1, and 6.5 more at 1e-3, λ = 4, on Insurance's marital status + activity; `packages/up5/README.md`).
 */
export const FAIRNESS_MIXTURE_INIT: MixtureInit = 'identity';

/**
 * The mixture's keep terms' default weight: 0, not UP5's 1. On Insurance's four attributes (quick) every mixture
 * row hid the unselected attributes too (AUCs 0.48–0.52) with the keep terms on, so they did not keep anything
 * readable, and they cost 3–5 more points of hit@5 (`apps/bench/results/fairness-quick/README.md`).
 */
export const FAIRNESS_MIXTURE_KEEP = 0;

/** A run's settings, defaults filled in. */
export interface FairnessSettings {
  readonly dataset: RecDataset;
  readonly attributes: readonly string[];
  readonly profile: string;
  /** The profile's budgets for this dataset. */
  readonly p: FairnessProfile;
  readonly seed: number;
  readonly lambda: number;
  readonly tokens: number;
  /** The prompts' and the mixture's learning rate. */
  readonly lr: number;
  /** The discriminators' learning rate (pre-training and adversarial updates). */
  readonly discriminatorLr: number;
  readonly adversary: AdversaryObjective;
  readonly confusionTarget: ConfusionTarget;
  readonly pretrain: number;
  readonly epochs: number;
  readonly dropout: number;
  readonly workers: number | 'auto' | undefined;
  readonly mixture: boolean;
  /** The mixture's keep terms' weight relative to λ (1: UP5's loss; 0, the default: none). */
  readonly mixtureKeep: number;
  /** The mixture's λ (default: the prompts' `lambda`). */
  readonly mixtureLambda: number;
  /** The mixture's learning rate (default {@link FAIRNESS_LR}'s mixture). */
  readonly mixtureLr: number;
  /** How the mixing attention's value and output projections start: xavier (UP5's) or identity. */
  readonly mixtureInit: MixtureInit;
  readonly baselines: boolean;
}

const KNOWN = ['dataset', 'attributes', 'profile', 'seed', 'lambda', 'tokens', 'lr', 'discriminatorLr', 'adversary', 'confusionTarget', 'pretrain', 'epochs', 'mixture', 'mixtureKeep', 'mixtureLambda', 'mixtureLr', 'mixtureInit', 'baselines', 'dropout', 'workers'];

/** Check the task's options and fill in the defaults. */
export function parseFairnessOptions(options: Readonly<Record<string, unknown>>): FairnessSettings {
  const bad = (what: string) => new ConfigError(`bench task 'fairness': ${what}`);
  const unknown = Object.keys(options).filter((k) => !KNOWN.includes(k));
  if (unknown.length) throw bad(`unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${KNOWN.join(', ')})`);
  const dataset = String(options.dataset ?? 'insurance') as RecDataset;
  if (dataset !== 'insurance' && dataset !== 'ml-100k') throw bad(`dataset must be insurance or ml-100k, got '${dataset}'`);
  const attributes = (options.attributes as string[] | undefined) ?? [...FAIRNESS_ATTRIBUTES[dataset]];
  if (attributes.length === 0) throw bad(`no attribute given (${dataset}: ${FAIRNESS_ATTRIBUTES[dataset].join(', ')})`);
  const profile = String(options.profile ?? 'quick');
  const base = PROFILES[profile];
  if (!base) throw bad(`profile must be smoke, quick or full, got '${profile}'`);
  const p = profileFor(dataset, base);
  const seed = Number(options.seed ?? 0);
  if (!Number.isInteger(seed) || seed < 0) throw bad(`seed must be a non-negative integer, got ${String(options.seed)}`);
  const lambda = Number(options.lambda ?? FAIRNESS_OBJECTIVE.lambda);
  if (!(lambda >= 0)) throw bad(`lambda must be ≥ 0, got ${String(options.lambda)}`);
  const tokens = Number(options.tokens ?? 10);
  if (!Number.isInteger(tokens) || tokens < 1) throw bad(`tokens must be a positive integer, got ${String(options.tokens)}`);
  const lr = Number(options.lr ?? FAIRNESS_LR.prompt);
  if (!(lr > 0) || !Number.isFinite(lr)) throw bad(`lr must be > 0, got ${String(options.lr)}`);
  const discriminatorLr = Number(options.discriminatorLr ?? FAIRNESS_LR.discriminator);
  if (!(discriminatorLr > 0) || !Number.isFinite(discriminatorLr)) throw bad(`discriminatorLr must be > 0, got ${String(options.discriminatorLr)}`);
  const adversary = String(options.adversary ?? FAIRNESS_OBJECTIVE.adversary) as AdversaryObjective;
  if (!ADVERSARY_OBJECTIVES.includes(adversary)) throw bad(`adversary must be ${ADVERSARY_OBJECTIVES.join(' or ')}, got '${adversary}'`);
  const confusionTarget = String(options.confusionTarget ?? 'prior') as ConfusionTarget;
  if (!CONFUSION_TARGETS.includes(confusionTarget)) throw bad(`confusionTarget must be ${CONFUSION_TARGETS.join(' or ')}, got '${confusionTarget}'`);
  const pretrain = Number(options.pretrain ?? p.pretrain);
  if (!Number.isInteger(pretrain) || pretrain < 0) throw bad(`pretrain must be a non-negative integer, got ${String(options.pretrain)}`);
  const epochs = Number(options.epochs ?? p.cfpEpochs);
  if (!Number.isInteger(epochs) || epochs < 1) throw bad(`epochs must be a positive integer, got ${String(options.epochs)}`);
  const dropout = Number(options.dropout ?? P5_DROPOUT[profile]);
  if (!(dropout >= 0 && dropout < 1)) throw bad(`dropout must be a number in [0, 1), got ${String(options.dropout)}`);
  const workers = options.workers as number | 'auto' | undefined;
  if (workers !== undefined && workers !== 'auto' && !(typeof workers === 'number' && Number.isInteger(workers) && workers >= 0)) {
    throw bad(`workers must be a non-negative integer or 'auto', got ${JSON.stringify(workers)}`);
  }
  const mixtureKeep = Number(options.mixtureKeep ?? FAIRNESS_MIXTURE_KEEP);
  if (!(mixtureKeep >= 0) || !Number.isFinite(mixtureKeep)) throw bad(`mixtureKeep must be a number ≥ 0, got ${String(options.mixtureKeep)}`);
  const mixtureLambda = Number(options.mixtureLambda ?? lambda);
  if (!(mixtureLambda >= 0) || !Number.isFinite(mixtureLambda)) throw bad(`mixtureLambda must be a number ≥ 0, got ${String(options.mixtureLambda)}`);
  const mixtureLr = Number(options.mixtureLr ?? FAIRNESS_LR.mixture);
  if (!(mixtureLr > 0) || !Number.isFinite(mixtureLr)) throw bad(`mixtureLr must be > 0, got ${String(options.mixtureLr)}`);
  const mixtureInit = String(options.mixtureInit ?? FAIRNESS_MIXTURE_INIT) as MixtureInit;
  if (!MIXTURE_INITS.includes(mixtureInit)) throw bad(`mixtureInit must be ${MIXTURE_INITS.join(' or ')}, got '${mixtureInit}'`);
  return { dataset, attributes, profile, p, seed, lambda, tokens, lr, discriminatorLr, adversary, confusionTarget, pretrain, epochs, dropout, workers, mixture: options.mixture !== false, mixtureKeep, mixtureLambda, mixtureLr, mixtureInit, baselines: options.baselines !== false };
}
