/**
 * A counterfactually-fair prompt (UP5's CFP): `tokens` virtual positions for one sensitive attribute whose keys
 * and values enter every layer of a frozen T5 — encoder self-attention, decoder self-attention and decoder
 * cross-attention — each from its own peft-style prefix encoder (embedding [L, d] → Linear(d, hidden) → tanh →
 * Linear(hidden, layers·2·d); dropout 0.1 on the keys and values). The reference shares one embedding across
 * the three generators; here each has its own.
 */
import type * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { PrefixTuning } from '@xrec/prompts';
import type { T5Config, T5Prefix } from '@xrec/transformer';

export interface FairPrefixConfig {
  /** Virtual tokens per attention (UP5: 5–30). */
  readonly tokens: number;
  /** Hidden width of the reparameterising MLP (UP5: 800 at d = 512). Default 1.5·d. */
  readonly projectionHidden?: number;
  readonly dropout?: number;
}

export class FairPrefix {
  private constructor(
    readonly attribute: string,
    readonly config: FairPrefixConfig,
    private readonly parts: { encoder: PrefixTuning; decoder: PrefixTuning; cross: PrefixTuning },
  ) {}

  static create(attribute: string, t5: T5Config, config: FairPrefixConfig, rng: Rng): FairPrefix {
    const make = (layers: number, which: string) =>
      PrefixTuning.create(
        { tokens: config.tokens, layers, kvHeads: t5.nHeads, headDim: t5.dKv, dModel: t5.dModel, projectionHidden: config.projectionHidden ?? Math.round(1.5 * t5.dModel), dropout: config.dropout ?? 0.1 },
        rng.fork(`${attribute}.${which}`),
      );
    return new FairPrefix(attribute, config, { encoder: make(t5.nLayers, 'encoder'), decoder: make(t5.nDecoderLayers, 'decoder'), cross: make(t5.nDecoderLayers, 'cross') });
  }

  /** The trainable variables, named `<attribute>.<encoder|decoder|cross>.<name>`. */
  variables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [k, p] of Object.entries(this.parts)) for (const [n, v] of p.variables()) out.set(`${this.attribute}.${k}.${n}`, v);
    return out;
  }

  /** The prefixes for the three attentions (create inside a tidy or a loss; `seed` seeds dropout when training). */
  prefix(o: { training?: boolean; seed?: number } = {}): T5Prefix {
    const opt = { training: o.training ?? false, dropoutSeed: o.seed ?? 0 };
    return { encoder: this.parts.encoder.prefixKV(opt), decoder: this.parts.decoder.prefixKV({ ...opt, dropoutSeed: opt.dropoutSeed + 1 }), cross: this.parts.cross.prefixKV({ ...opt, dropoutSeed: opt.dropoutSeed + 2 }) };
  }

  dispose(): void {
    for (const p of Object.values(this.parts)) p.dispose();
  }
}
