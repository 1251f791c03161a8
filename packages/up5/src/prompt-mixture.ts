/** UP5's prompt mixture itself (see mixture.ts for its training): one prefix from several frozen prompts. */
import type * as tf from '@tensorflow/tfjs';
import { ConfigError, type Rng } from '@xrec/core';
import { AttentionMixture } from '@xrec/prompts';
import type { T5Config, T5Prefix } from '@xrec/transformer';
import type { FairPrefix } from './fair-prefix.js';

export interface PromptMixtureConfig {
  /** The prompts' length (every mixed prompt must have it). */
  readonly tokens: number;
  /** Heads of the mixing attention (default: the T5's heads). */
  readonly heads?: number;
  /** Start the mixing attention's value and output projections at the identity (`AttentionMixture`'s identityValues; default false, as UP5). */
  readonly identityValues?: boolean;
}

export class PromptMixture {
  private readonly parts: Record<'encoder' | 'decoder' | 'cross', AttentionMixture>;

  constructor(t5: T5Config, readonly config: PromptMixtureConfig, rng: Rng) {
    const make = (layers: number, which: string) => new AttentionMixture({ tokens: config.tokens, layers, kvHeads: t5.nHeads, headDim: t5.dKv, ...(config.heads ? { heads: config.heads } : {}), ...(config.identityValues ? { identityValues: true } : {}) }, rng.fork(which));
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
