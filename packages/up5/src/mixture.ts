/**
 * UP5's prompt mixture: from frozen single-attribute prompts, one prefix for any subset of attributes. Each of
 * the three attentions (encoder self, decoder self, cross) has its own {@link AttentionMixture} (learned queries
 * per layer, multi-head attention over the selected prompts' keys/values joined along the prefix axis); the
 * reference shares one combiner across them. Trained by {@link trainPromptMixture}, the prompts and the P5
 * frozen, on random attribute subsets with
 *
 *   mixture rule:        L_rec + λ·Σ_selected A_a + keep·λ·Σ_unselected L_disc_a   (keep = 1: UP5's)
 *   discriminator rule:  Σ_a L_disc_a   (every attribute's discriminator, on the mixed prompt's representations)

with A the adversary objective (UP5: A = −L_disc; see {@link AdversarialSchedule}),
 *
 * so the mixture hides the selected attributes and keeps the others recoverable, as the user asked.
 */
import { ConfigError, Rng, silentProgress } from '@xrec/core';
import { encodeExamples, p5Batches, type P5Recommender } from '@xrec/p5';
import { train, type TrainResult } from '@xrec/transformer';
import { checkSchedule, pretrainDiscriminator, type AdversarialSchedule } from './cfp.js';
import type { Discriminator } from './discriminator.js';
import type { FairPrefix } from './fair-prefix.js';
import { mixtureLosses, type MixBatch } from './mixture-loss.js';
import { mixtureDataParallel, type MixtureReplicaArgs } from './mixture-replica.js';
import { withP5Replicas } from './p5-replicas.js';
import type { PromptMixture } from './prompt-mixture.js';
import { encodeUserRows } from './user-representation.js';

export interface MixtureOptions extends AdversarialSchedule {
  /** Each attribute's class of a user (examples of users without every attribute are dropped). */
  readonly labelOf: (attribute: string, user: string) => number | undefined;
  /**
   * Weight of the keep terms (the unselected attributes' discriminator losses) relative to λ (default 1, UP5's
   * loss; 0 drops them: the mixture then only hides the selected attributes and recommends).
   */
  readonly keepWeight?: number;
  /** Probability that an attribute is in a batch's subset (UP5: 0.5); subsets with fewer than two are redrawn. */
  readonly chooseProbability?: number;
  /** Data-parallel training over worker threads (both rules), as `CfpOptions.parallel`. */
  readonly parallel?: { readonly workers: number | 'auto'; readonly verifyEvery?: number };
}

/** Train the mixture over frozen `prompts` with one discriminator per prompt (same order). */
export async function trainPromptMixture(rec: P5Recommender, mixture: PromptMixture, prompts: readonly FairPrefix[], discs: readonly Discriminator[], o: MixtureOptions): Promise<TrainResult> {
  if (prompts.length < 2) throw new ConfigError(`trainPromptMixture: needs at least two prompts, got ${prompts.length}`);
  if (discs.length !== prompts.length) throw new ConfigError(`trainPromptMixture: ${discs.length} discriminators for ${prompts.length} prompts`);
  const { lambda, adversary, every, confusionTarget, lr, discriminatorLr } = checkSchedule(o, 'trainPromptMixture');
  const keepWeight = o.keepWeight ?? 1;
  if (!(keepWeight >= 0) || !Number.isFinite(keepWeight)) throw new ConfigError(`trainPromptMixture: keepWeight must be a number ≥ 0, got ${keepWeight}`);
  const pChoose = o.chooseProbability ?? 0.5;
  if (!(pChoose > 0 && pChoose <= 1)) throw new ConfigError(`trainPromptMixture: chooseProbability must be in (0, 1], got ${pChoose}`);
  const attrs = prompts.map((p) => p.attribute);
  const exs = o.train.filter((e) => attrs.every((a) => o.labelOf(a, e.user) !== undefined));
  if (exs.length === 0) throw new ConfigError(`trainPromptMixture: none of the ${o.train.length} training examples has a user with every attribute known (${attrs.join(', ')})`);
  const rows = encodeExamples(rec, exs);
  const users = encodeUserRows(rec, exs);
  const labels = attrs.map((a) => exs.map((e) => o.labelOf(a, e.user)!));
  discs.forEach((d, a) => d.useConfusionTarget(confusionTarget, labels[a]!));
  if (o.pretrainDiscriminatorEpochs) {
    const seeds = new Rng(o.seed ?? 0).fork('pretrain');
    discs.forEach((d, a) => pretrainDiscriminator(rec, d, exs.map((e, i) => ({ user: e.user, row: users[i]!, label: labels[a]![i]! })), { epochs: o.pretrainDiscriminatorEpochs!, lr: discriminatorLr, seed: seeds.nextSeed() }));
  }
  const bs = o.batchSize ?? 64;
  const perEpoch = Math.min(o.examplesPerEpoch ?? exs.length, exs.length);
  const mv = mixture.variables();
  const dv = new Map(discs.flatMap((d, i) => [...d.variables()].map(([n, v]) => [`${attrs[i]}.${n}`, v] as const)));
  const losses = mixtureLosses(rec, mixture, prompts, discs, lambda, adversary, keepWeight);
  const variables = new Map([...mv, ...dv]);
  const plan = { variables, batchRows: bs, rows, requested: o.parallel?.workers, where: 'trainPromptMixture' };
  return withP5Replicas(rec, plan, async (workers, p5Dir) => {
    const replica: MixtureReplicaArgs = {
      p5Dir,
      mixture: mixture.config,
      prompts: prompts.map((p) => ({ attribute: p.attribute, config: p.config, weights: [...p.variables()].map(([n, v]) => [n, Float32Array.from(v.dataSync())] as const) })),
      discriminators: discs.map((d) => d.spec()),
      lambda,
      adversary,
      keepWeight,
    };
    return await train<MixBatch>({
      variables,
      lossFn: (b, _training, ctx) => losses.mixture(b, ctx.seed),
      updates: [
        { name: 'mixture', variables: [...mv.keys()], lossFn: (b, _training, ctx) => losses.mixture(b, ctx.seed) },
        { name: 'discriminators', variables: [...dv.keys()], lossFn: (b) => losses.discriminators(b), repeat: (step) => (step % every === 0 ? 1 : 0) },
      ],
      ...(discriminatorLr !== lr ? { groups: [{ name: 'discriminators', variables: [...dv.keys()], lr: discriminatorLr }] } : {}),
      ...(workers > 0 ? { parallel: mixtureDataParallel(replica, workers, o.parallel?.verifyEvery) } : {}),
      trainBatches: (_e: number, rng: Rng) => {
        const order = rng.permutation(exs.length).slice(0, perEpoch);
        return p5Batches(Array.from(order, (i) => rows[i]!), bs).map((b, k) => {
          const idx = Array.from(order.slice(k * bs, k * bs + b.size));
          let subset: number[] = [];
          while (subset.length < 2) subset = attrs.flatMap((_, a) => (rng.float() < pChoose ? [a] : []));
          return { ...b, users: idx.map((i) => users[i]!), labels: labels.map((l) => idx.map((i) => l[i]!)), subset };
        });
      },
      config: { epochs: o.epochs ?? 1, lr, warmupSteps: 0, schedule: 'constant', seed: o.seed ?? 0, weightDecay: 0 },
      progress: o.progress ?? silentProgress,
      label: `mixture ${attrs.join('+')}`,
    });
  });
}
