/**
 * Adversarial training against an attribute discriminator with the shared trainer's update rules:
 *
 *   player rule:        min over the player of  L_rec + λ · A(user representation)
 *   discriminator rule: min over the discriminator of  L_disc(user representation, player held fixed)
 *
 * where A is the adversary objective (UP5: −L_disc; or confusion, see {@link Discriminator.adversaryLoss}).
 * The player is a counterfactually-fair prompt on the frozen P5 (UP5's CFP, {@link trainFairPrefix}: the P5's
 * variables are not in the trainer's set, so they stay bit-identical) or every weight of the P5 itself (the
 * adversarial fine-tuning baseline, {@link trainAdversarialP5}). The player takes `playerSteps` updates per
 * batch; the discriminator `discriminatorSteps` updates on every `discriminatorEvery`-th batch (UP5 runs several
 * prompt steps with the discriminator frozen and alternates every `rs_step` batches). Optionally the
 * discriminator is first fitted to the unprompted representations of the training users (UP5's discriminator
 * pre-training on ML-1M), so the player meets a trained adversary from its first step.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, Rng, silentProgress, type Progress } from '@xrec/core';
import { encodeExamples, p5Batches, type P5Recommender, type RecExample } from '@xrec/p5';
import { train, type TrainResult } from '@xrec/transformer';
import type { CfpBatch } from './cfp-batch.js';
import { adversarialLosses, type PlayerPrefix } from './cfp-loss.js';
import { withP5Replicas } from './p5-replicas.js';
import { up5DataParallel, type Up5ReplicaArgs } from './replica.js';
import { fitDiscriminator } from './attacker.js';
import { ADVERSARY_OBJECTIVES, CONFUSION_TARGETS, type AdversaryObjective, type ConfusionTarget, type Discriminator } from './discriminator.js';
import type { FairPrefix } from './fair-prefix.js';
import { encodeUserRows, representationArray, type UserRow } from './user-representation.js';

/** The schedule of an adversarial training (single prompts, the mixture, the fine-tuning baseline). */
export interface AdversarialSchedule {
  /** P5 training examples (those of users without the needed attributes are dropped). */
  readonly train: readonly RecExample[];
  /** λ, the discriminators' weight in the player's loss (UP5 Insurance: 1; default 1). */
  readonly lambda?: number;
  /** The adversary objective (default `negative-ce`, UP5's). */
  readonly adversary?: AdversaryObjective;
  /**
   * What `confusion` matches (default `prior`: the class distribution of the training examples, which the trainer
   * sets on each discriminator; `uniform`: Alvi et al.'s, right only for balanced classes).
   */
  readonly confusionTarget?: ConfusionTarget;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly examplesPerEpoch?: number;
  /** The player's learning rate (default 1e-3; UP5's prompt learning rate). */
  readonly lr?: number;
  /**
   * The discriminators' learning rate, in pre-training and in the adversarial updates (default: `lr`). UP5 trains
   * its discriminator ten times slower than the prompt (1e-4 against 1e-3).
   */
  readonly discriminatorLr?: number;
  /** Discriminator updates run on every this-many-th batch (default 1: every batch). */
  readonly discriminatorEvery?: number;
  /** Epochs of fitting each discriminator to the unprompted representations first (default 0: none). */
  readonly pretrainDiscriminatorEpochs?: number;
  readonly seed?: number;
  readonly progress?: Progress;
}

export interface CfpOptions extends AdversarialSchedule {
  /** The attribute's class of a user (examples of users without one are dropped). */
  readonly labelOf: (user: string) => number | undefined;
  /** Player updates per batch (default 1). */
  readonly prefixSteps?: number;
  /** Discriminator updates per discriminator batch (default 1). */
  readonly discriminatorSteps?: number;
  /**
   * Data-parallel training over worker threads (both rules split over the replicas; see the transformer's
   * `DataParallel`): `workers` besides the trainer's thread, or `'auto'`; `verifyEvery` checks every this many
   * updates that the replicas hold the trainer's weights bit for bit.
   */
  readonly parallel?: { readonly workers: number | 'auto'; readonly verifyEvery?: number };
}

/** Check an adversarial schedule's numbers (shared by the single-prompt, mixture and fine-tuning trainings). */
export function checkSchedule(o: AdversarialSchedule, where: string): { lambda: number; adversary: AdversaryObjective; every: number; confusionTarget: ConfusionTarget; lr: number; discriminatorLr: number } {
  const lambda = o.lambda ?? 1;
  const lr = o.lr ?? 1e-3;
  if (!(lr > 0) || !Number.isFinite(lr)) throw new ConfigError(`${where}: lr must be a positive number, got ${lr}`);
  const discriminatorLr = o.discriminatorLr ?? lr;
  if (!(discriminatorLr > 0) || !Number.isFinite(discriminatorLr)) throw new ConfigError(`${where}: discriminatorLr must be a positive number, got ${discriminatorLr}`);
  if (!(lambda >= 0)) throw new ConfigError(`${where}: lambda must be ≥ 0, got ${lambda}`);
  const adversary = o.adversary ?? 'negative-ce';
  if (!ADVERSARY_OBJECTIVES.includes(adversary)) throw new ConfigError(`${where}: adversary must be ${ADVERSARY_OBJECTIVES.join(' or ')}, got '${String(adversary)}'`);
  const confusionTarget = o.confusionTarget ?? 'prior';
  if (!CONFUSION_TARGETS.includes(confusionTarget)) throw new ConfigError(`${where}: confusionTarget must be ${CONFUSION_TARGETS.join(' or ')}, got '${String(confusionTarget)}'`);
  const every = o.discriminatorEvery ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new ConfigError(`${where}: discriminatorEvery must be a positive integer, got ${every}`);
  const pre = o.pretrainDiscriminatorEpochs ?? 0;
  if (!Number.isInteger(pre) || pre < 0) throw new ConfigError(`${where}: pretrainDiscriminatorEpochs must be a non-negative integer, got ${pre}`);
  return { lambda, adversary, every, confusionTarget, lr, discriminatorLr };
}

/**
 * Fit `disc` to the unprompted P5's representations of the distinct users among `users` (labels aligned) — the
 * discriminator pre-training of {@link AdversarialSchedule.pretrainDiscriminatorEpochs}.
 */
export function pretrainDiscriminator(rec: P5Recommender, disc: Discriminator, users: readonly { user: string; row: UserRow; label: number }[], o: { epochs: number; lr?: number; seed?: number }): void {
  const seen = new Map<string, { row: UserRow; label: number }>();
  for (const u of users) if (!seen.has(u.user)) seen.set(u.user, u);
  const list = [...seen.values()];
  const reps = representationArray(rec, list.map((x) => x.row));
  fitDiscriminator(disc, reps, list.map((x) => x.label), { epochs: o.epochs, lr: o.lr ?? 1e-3, seed: o.seed ?? 0 });
}

/** What plays against the discriminator: its variables and, for a prompt, the prefix it makes. */
interface Player extends PlayerPrefix {
  readonly label: string;
  readonly attribute?: string;
  readonly variables: Map<string, tf.Variable>;
  /** How a data-parallel replica rebuilds it. */
  readonly replica: Up5ReplicaArgs['player'];
}

async function trainAgainst(rec: P5Recommender, disc: Discriminator, o: CfpOptions, player: Player, where: string): Promise<TrainResult> {
  const { lambda, adversary, every, confusionTarget, lr, discriminatorLr } = checkSchedule(o, where);
  const exs = o.train.filter((e) => o.labelOf(e.user) !== undefined);
  if (exs.length === 0) throw new ConfigError(`${where}: none of the ${o.train.length} training examples has a user with a known ${player.attribute ?? 'attribute'}`);
  const rows = encodeExamples(rec, exs);
  const users = encodeUserRows(rec, exs);
  const labels = exs.map((e) => o.labelOf(e.user)!);
  disc.useConfusionTarget(confusionTarget, labels);
  // the mmd objective reads no discriminator: it is neither pre-trained nor updated
  const usesDisc = adversary !== 'mmd';
  if (o.pretrainDiscriminatorEpochs && usesDisc) pretrainDiscriminator(rec, disc, exs.map((e, i) => ({ user: e.user, row: users[i]!, label: labels[i]! })), { epochs: o.pretrainDiscriminatorEpochs, lr: discriminatorLr, seed: new Rng(o.seed ?? 0).fork('pretrain').nextSeed() });
  const bs = o.batchSize ?? 64;
  const perEpoch = Math.min(o.examplesPerEpoch ?? exs.length, exs.length);
  const dv = disc.variables();
  const losses = adversarialLosses(rec, disc, player, lambda, adversary);
  const discSteps = o.discriminatorSteps ?? 1;
  const variables = new Map([...player.variables, ...dv]);
  const plan = { variables, batchRows: bs, rows, requested: o.parallel?.workers, where };
  return withP5Replicas(rec, plan, async (workers, p5Dir) => {
    const replica: Up5ReplicaArgs = { p5Dir, player: player.replica, discriminator: disc.spec(), lambda, adversary };
    return await train<CfpBatch>({
      variables,
      lossFn: (b, training, ctx) => losses.player(b, training, ctx.seed),
      updates: [
        { name: 'player', variables: [...player.variables.keys()], lossFn: (b, training, ctx) => losses.player(b, training, ctx.seed), repeat: o.prefixSteps ?? 1 },
        { name: 'discriminator', variables: [...dv.keys()], lossFn: (b) => losses.discriminator(b), repeat: (step) => (usesDisc && step % every === 0 ? discSteps : 0) },
      ],
      ...(discriminatorLr !== lr ? { groups: [{ name: 'discriminator', variables: [...dv.keys()], lr: discriminatorLr }] } : {}),
      ...(workers > 0 ? { parallel: up5DataParallel(replica, workers, o.parallel?.verifyEvery) } : {}),
      trainBatches: (_e: number, rng: Rng) => {
        const order = rng.permutation(exs.length).slice(0, perEpoch);
        return p5Batches(Array.from(order, (i) => rows[i]!), bs).map((b, k) => {
          const idx = Array.from(order.slice(k * bs, k * bs + b.size));
          return { ...b, users: idx.map((i) => users[i]!), labels: idx.map((i) => labels[i]!) };
        });
      },
      config: { epochs: o.epochs ?? 1, lr, warmupSteps: 0, schedule: 'constant', seed: o.seed ?? 0, weightDecay: 0 },
      progress: o.progress ?? silentProgress,
      label: player.label,
    });
  });
}

/** Train a counterfactually-fair prompt on the frozen P5 against `disc` (UP5's CFP). */
export async function trainFairPrefix(rec: P5Recommender, prefix: FairPrefix, disc: Discriminator, o: CfpOptions): Promise<TrainResult> {
  const player: Player = { label: `cfp ${prefix.attribute}`, attribute: prefix.attribute, variables: prefix.variables(), prefix: (x) => prefix.prefix(x), modelTraining: false, replica: { kind: 'prefix', attribute: prefix.attribute, config: prefix.config } };
  return trainAgainst(rec, disc, o, player, `trainFairPrefix(${prefix.attribute})`);
}

/**
 * The adversarial fine-tuning baseline: every weight of `rec` (a copy — its weights change) trained on the same
 * objective as a fair prompt, without a prompt.
 */
export async function trainAdversarialP5(rec: P5Recommender, disc: Discriminator, o: CfpOptions): Promise<TrainResult> {
  return trainAgainst(rec, disc, o, { label: 'adversarial fine-tuning', variables: rec.model.parameters(), modelTraining: true, replica: { kind: 'model' } }, 'trainAdversarialP5');
}
