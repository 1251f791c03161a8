/**
 * Training a counterfactually-fair prompt (UP5's CFP) with the shared trainer's update rules, the P5 model
 * frozen (its variables are not in the trainer's set, so they stay bit-identical):
 *
 *   prefix rule:        min over the prompt of  L_rec(prompted P5) − λ · L_disc(user representation)
 *   discriminator rule: min over the discriminator of  L_disc(user representation, prompt held fixed)
 *
 * both every batch (`prefixSteps` and `discriminatorSteps` updates each; the reference runs several prompt
 * steps with the discriminator frozen and alternates every `rs_step` batches — the same two objectives).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, silentProgress, type Progress, type Rng } from '@xrec/core';
import { encodeExamples, p5Batches, p5Loss, type EncodedExample, type P5Recommender, type RecExample } from '@xrec/p5';
import { train, type TrainResult } from '@xrec/transformer';
import type { Discriminator } from './discriminator.js';
import type { FairPrefix } from './fair-prefix.js';
import { encodeUserRows, userRepresentations, type UserRow } from './user-representation.js';

/** The schedule of an adversarial prompt training (single prompts and the mixture). */
export interface AdversarialSchedule {
  /** P5 training examples (those of users without the needed attributes are dropped). */
  readonly train: readonly RecExample[];
  /** λ, the discriminators' weight in the prompt's loss (UP5 Insurance: 1; default 1). */
  readonly lambda?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly examplesPerEpoch?: number;
  readonly lr?: number;
  readonly seed?: number;
  readonly progress?: Progress;
}

export interface CfpOptions extends AdversarialSchedule {
  /** The attribute's class of a user (examples of users without one are dropped). */
  readonly labelOf: (user: string) => number | undefined;
  readonly prefixSteps?: number;
  readonly discriminatorSteps?: number;
}

interface CfpBatch {
  readonly rows: readonly EncodedExample[];
  /** The rows' prompts with their `user_…` word masks (encoded once, before training). */
  readonly users: readonly UserRow[];
  readonly labels: readonly number[];
  readonly size: number;
  readonly tokens: number;
}

export async function trainFairPrefix(rec: P5Recommender, prefix: FairPrefix, disc: Discriminator, o: CfpOptions): Promise<TrainResult> {
  const lambda = o.lambda ?? 1;
  if (!(lambda >= 0)) throw new ConfigError(`trainFairPrefix: lambda must be ≥ 0, got ${lambda}`);
  const exs = o.train.filter((e) => o.labelOf(e.user) !== undefined);
  if (exs.length === 0) throw new ConfigError(`trainFairPrefix: none of the ${o.train.length} training examples has a user with a known ${prefix.attribute}`);
  const rows = encodeExamples(rec, exs);
  const users = encodeUserRows(rec, exs);
  const labels = exs.map((e) => o.labelOf(e.user)!);
  const bs = o.batchSize ?? 64;
  const perEpoch = Math.min(o.examplesPerEpoch ?? exs.length, exs.length);
  const pv = prefix.variables();
  const dv = disc.variables();
  const prefixLoss = (b: CfpBatch, training: boolean, seed: number) => {
    const p = prefix.prefix({ training, seed });
    const rec_ = p5Loss(rec, { rows: b.rows, size: b.size, tokens: b.tokens }, false, seed, p);
    const adv = disc.loss(userRepresentations(rec, b.users, { prefix: p }), b.labels);
    return tf.sub(rec_, tf.mul(lambda, adv)) as tf.Scalar;
  };
  return train<CfpBatch>({
    variables: new Map([...pv, ...dv]),
    lossFn: (b, training, ctx) => prefixLoss(b, training, ctx.seed),
    updates: [
      { name: 'prompt', variables: [...pv.keys()], lossFn: (b, training, ctx) => prefixLoss(b, training, ctx.seed), repeat: o.prefixSteps ?? 1 },
      {
        name: 'discriminator',
        variables: [...dv.keys()],
        // only the discriminator's gradients are taken in this rule, so the prompt is held fixed
        lossFn: (b) => disc.loss(userRepresentations(rec, b.users, { prefix: prefix.prefix() }), b.labels),
        repeat: o.discriminatorSteps ?? 1,
      },
    ],
    trainBatches: (_e: number, rng: Rng) => {
      const order = rng.permutation(exs.length).slice(0, perEpoch);
      return p5Batches(Array.from(order, (i) => rows[i]!), bs).map((b, k) => {
        const idx = Array.from(order.slice(k * bs, k * bs + b.size));
        return { ...b, users: idx.map((i) => users[i]!), labels: idx.map((i) => labels[i]!) };
      });
    },
    config: { epochs: o.epochs ?? 1, lr: o.lr ?? 1e-3, warmupSteps: 0, schedule: 'constant', seed: o.seed ?? 0, weightDecay: 0 },
    progress: o.progress ?? silentProgress,
    label: `cfp ${prefix.attribute}`,
  });
}
