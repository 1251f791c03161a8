/**
 * UP5's prompt mixture: from frozen single-attribute prompts, one prefix for any subset of attributes. Each of
 * the three attentions (encoder self, decoder self, cross) has its own {@link AttentionMixture} (learned queries
 * per layer, multi-head attention over the selected prompts' keys/values joined along the prefix axis); the
 * reference shares one combiner across them. Trained by {@link trainPromptMixture}, the prompts and the P5
 * frozen, on random attribute subsets with
 *
 *   mixture rule:        L_rec + λ·Σ_selected A_a + λ·Σ_unselected L_disc_a
 *   discriminator rule:  Σ_a L_disc_a   (every attribute's discriminator, on the mixed prompt's representations)

with A the adversary objective (UP5: A = −L_disc; see {@link AdversarialSchedule}),
 *
 * so the mixture hides the selected attributes and keeps the others recoverable, as the user asked.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, Rng, silentProgress } from '@xrec/core';
import { encodeExamples, p5Batches, p5Loss, type P5Recommender, type EncodedExample } from '@xrec/p5';
import { checkSchedule, pretrainDiscriminator, type AdversarialSchedule } from './cfp.js';
import { AttentionMixture } from '@xrec/prompts';
import { train, type T5Config, type T5Prefix, type TrainResult } from '@xrec/transformer';
import type { Discriminator } from './discriminator.js';
import type { FairPrefix } from './fair-prefix.js';
import { encodeUserRows, userRepresentations, type UserRow } from './user-representation.js';

export interface PromptMixtureConfig {
  /** The prompts' length (every mixed prompt must have it). */
  readonly tokens: number;
  /** Heads of the mixing attention (default: the T5's heads). */
  readonly heads?: number;
}

export class PromptMixture {
  private readonly parts: Record<'encoder' | 'decoder' | 'cross', AttentionMixture>;

  constructor(t5: T5Config, readonly config: PromptMixtureConfig, rng: Rng) {
    const make = (layers: number, which: string) => new AttentionMixture({ tokens: config.tokens, layers, kvHeads: t5.nHeads, headDim: t5.dKv, ...(config.heads ? { heads: config.heads } : {}) }, rng.fork(which));
    this.parts = { encoder: make(t5.nLayers, 'encoder'), decoder: make(t5.nDecoderLayers, 'decoder'), cross: make(t5.nDecoderLayers, 'cross') };
  }

  /** Trainable variables, named `mixture.<encoder|decoder|cross>.<name>`. */
  variables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [k, m] of Object.entries(this.parts)) for (const [n, v] of m.variables()) out.set(`mixture.${k}.${n}`, v);
    return out;
  }

  /** One prefix from the selected prompts (one prompt: its own prefix unchanged). Create inside a tidy or a loss. */
  prefix(selected: readonly FairPrefix[]): T5Prefix {
    if (selected.length === 0) throw new ConfigError('PromptMixture.prefix: no prompt selected');
    const bad = selected.find((p) => p.config.tokens !== this.config.tokens);
    if (bad) throw new ConfigError(`PromptMixture.prefix: prompt '${bad.attribute}' has ${bad.config.tokens} tokens, the mixture ${this.config.tokens}`);
    const ps = selected.map((p) => p.prefix());
    return { encoder: this.parts.encoder.mix(ps.map((p) => p.encoder!)), decoder: this.parts.decoder.mix(ps.map((p) => p.decoder!)), cross: this.parts.cross.mix(ps.map((p) => p.cross!)) };
  }

  dispose(): void {
    for (const m of Object.values(this.parts)) m.dispose();
  }
}

export interface MixtureOptions extends AdversarialSchedule {
  /** Each attribute's class of a user (examples of users without every attribute are dropped). */
  readonly labelOf: (attribute: string, user: string) => number | undefined;
  /** Probability that an attribute is in a batch's subset (UP5: 0.5); subsets with fewer than two are redrawn. */
  readonly chooseProbability?: number;
}

interface MixBatch {
  readonly rows: readonly EncodedExample[];
  readonly users: readonly UserRow[];
  /** labels[a][i]: attribute a's class of row i. */
  readonly labels: readonly (readonly number[])[];
  /** Indices (into the prompts) of the attributes this batch hides. */
  readonly subset: readonly number[];
  readonly size: number;
  readonly tokens: number;
}

/** Train the mixture over frozen `prompts` with one discriminator per prompt (same order). */
export async function trainPromptMixture(rec: P5Recommender, mixture: PromptMixture, prompts: readonly FairPrefix[], discs: readonly Discriminator[], o: MixtureOptions): Promise<TrainResult> {
  if (prompts.length < 2) throw new ConfigError(`trainPromptMixture: needs at least two prompts, got ${prompts.length}`);
  if (discs.length !== prompts.length) throw new ConfigError(`trainPromptMixture: ${discs.length} discriminators for ${prompts.length} prompts`);
  const { lambda, adversary, every } = checkSchedule(o, 'trainPromptMixture');
  const pChoose = o.chooseProbability ?? 0.5;
  if (!(pChoose > 0 && pChoose <= 1)) throw new ConfigError(`trainPromptMixture: chooseProbability must be in (0, 1], got ${pChoose}`);
  const attrs = prompts.map((p) => p.attribute);
  const exs = o.train.filter((e) => attrs.every((a) => o.labelOf(a, e.user) !== undefined));
  if (exs.length === 0) throw new ConfigError(`trainPromptMixture: none of the ${o.train.length} training examples has a user with every attribute known (${attrs.join(', ')})`);
  const rows = encodeExamples(rec, exs);
  const users = encodeUserRows(rec, exs);
  const labels = attrs.map((a) => exs.map((e) => o.labelOf(a, e.user)!));
  if (o.pretrainDiscriminatorEpochs) {
    const seeds = new Rng(o.seed ?? 0).fork('pretrain');
    discs.forEach((d, a) => pretrainDiscriminator(rec, d, exs.map((e, i) => ({ user: e.user, row: users[i]!, label: labels[a]![i]! })), { epochs: o.pretrainDiscriminatorEpochs!, ...(o.lr !== undefined ? { lr: o.lr } : {}), seed: seeds.nextSeed() }));
  }
  const bs = o.batchSize ?? 64;
  const perEpoch = Math.min(o.examplesPerEpoch ?? exs.length, exs.length);
  const mv = mixture.variables();
  const dv = new Map(discs.flatMap((d, i) => [...d.variables()].map(([n, v]) => [`${attrs[i]}.${n}`, v] as const)));
  const discTerms = (b: MixBatch, p: T5Prefix) => {
    const reps = userRepresentations(rec, b.users, { prefix: p });
    return discs.map((d, a) => d.loss(reps, b.labels[a]!));
  };
  const mixtureLoss = (b: MixBatch, seed: number) => {
    const p = mixture.prefix(b.subset.map((i) => prompts[i]!));
    const reps = userRepresentations(rec, b.users, { prefix: p });
    const terms = discs.map((d, a) => (b.subset.includes(a) ? d.adversaryLoss(reps, b.labels[a]!, adversary) : d.loss(reps, b.labels[a]!)));
    const adv = terms.reduce((acc: tf.Scalar, t) => tf.add(acc, tf.mul(lambda, t)), tf.scalar(0));
    return tf.add(p5Loss(rec, { rows: b.rows, size: b.size, tokens: b.tokens }, false, seed, p), adv) as tf.Scalar;
  };
  return train<MixBatch>({
    variables: new Map([...mv, ...dv]),
    lossFn: (b, _training, ctx) => mixtureLoss(b, ctx.seed),
    updates: [
      { name: 'mixture', variables: [...mv.keys()], lossFn: (b, _training, ctx) => mixtureLoss(b, ctx.seed) },
      // only the discriminators' gradients are taken here, so the mixture is held fixed
      { name: 'discriminators', variables: [...dv.keys()], lossFn: (b) => discTerms(b, mixture.prefix(b.subset.map((i) => prompts[i]!))).reduce((x, y) => tf.add(x, y)), repeat: (step) => (step % every === 0 ? 1 : 0) },
    ],
    trainBatches: (_e: number, rng: Rng) => {
      const order = rng.permutation(exs.length).slice(0, perEpoch);
      return p5Batches(Array.from(order, (i) => rows[i]!), bs).map((b, k) => {
        const idx = Array.from(order.slice(k * bs, k * bs + b.size));
        let subset: number[] = [];
        while (subset.length < 2) subset = attrs.flatMap((_, a) => (rng.float() < pChoose ? [a] : []));
        return { ...b, users: idx.map((i) => users[i]!), labels: labels.map((l) => idx.map((i) => l[i]!)), subset };
      });
    },
    config: { epochs: o.epochs ?? 1, lr: o.lr ?? 1e-3, warmupSteps: 0, schedule: 'constant', seed: o.seed ?? 0, weightDecay: 0 },
    progress: o.progress ?? silentProgress,
    label: `mixture ${attrs.join('+')}`,
  });
}
