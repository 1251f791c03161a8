/**
 * T5's parameter inventory with Hugging Face names (T5ForConditionalGeneration) and compute-layout shapes:
 * linear weights are [in, out] here and [out, in] in HF files. The relative-attention bias table lives in
 * block 0 of each stack and is shared by its layers, as in T5.
 */
import type { T5Config } from './config.js';

export interface T5ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Std of the random init (Mesh-TF / HF `_init_weights` with factor 1); 0 = ones. */
  readonly std: number;
  /** Stored transposed ([out, in]) in HF files. */
  readonly linear: boolean;
}

export type StackName = 'encoder' | 'decoder';

export const ATTN = { self: 'SelfAttention', cross: 'EncDecAttention' } as const;

/** Module name of a block's sub-layer k (0: self-attention, decoder 1: cross-attention, last: feed-forward). */
export function sublayer(stack: StackName, block: number, k: number): string {
  return `${stack}.block.${block}.layer.${k}`;
}

export function ffnIndex(stack: StackName): number {
  return stack === 'encoder' ? 1 : 2;
}

export function t5ParameterSpecs(c: T5Config): T5ParamSpec[] {
  const d = c.dModel;
  const inner = c.nHeads * c.dKv;
  const out: T5ParamSpec[] = [{ name: 'shared.weight', shape: [c.vocabSize, d], std: 1, linear: false }];
  if (c.wholeWordEmbeddings > 0) out.push({ name: 'encoder.whole_word_embeddings.weight', shape: [c.wholeWordEmbeddings, d], std: 1, linear: false });
  const attention = (m: string) => {
    out.push({ name: `${m}.q.weight`, shape: [d, inner], std: (d * c.dKv) ** -0.5, linear: true });
    out.push({ name: `${m}.k.weight`, shape: [d, inner], std: d ** -0.5, linear: true });
    out.push({ name: `${m}.v.weight`, shape: [d, inner], std: d ** -0.5, linear: true });
    out.push({ name: `${m}.o.weight`, shape: [inner, d], std: inner ** -0.5, linear: true });
  };
  for (const stack of ['encoder', 'decoder'] as const) {
    const layers = stack === 'encoder' ? c.nLayers : c.nDecoderLayers;
    for (let i = 0; i < layers; i++) {
      const self = sublayer(stack, i, 0);
      attention(`${self}.${ATTN.self}`);
      if (i === 0) out.push({ name: `${self}.${ATTN.self}.relative_attention_bias.weight`, shape: [c.numBuckets, c.nHeads], std: d ** -0.5, linear: false });
      out.push({ name: `${self}.layer_norm.weight`, shape: [d], std: 0, linear: false });
      if (stack === 'decoder') {
        const cross = sublayer(stack, i, 1);
        attention(`${cross}.${ATTN.cross}`);
        out.push({ name: `${cross}.layer_norm.weight`, shape: [d], std: 0, linear: false });
      }
      const ff = sublayer(stack, i, ffnIndex(stack));
      if (c.ffn === 'relu') out.push({ name: `${ff}.DenseReluDense.wi.weight`, shape: [d, c.dFF], std: d ** -0.5, linear: true });
      else {
        out.push({ name: `${ff}.DenseReluDense.wi_0.weight`, shape: [d, c.dFF], std: d ** -0.5, linear: true });
        out.push({ name: `${ff}.DenseReluDense.wi_1.weight`, shape: [d, c.dFF], std: d ** -0.5, linear: true });
      }
      out.push({ name: `${ff}.DenseReluDense.wo.weight`, shape: [c.dFF, d], std: c.dFF ** -0.5, linear: true });
      out.push({ name: `${ff}.layer_norm.weight`, shape: [d], std: 0, linear: false });
    }
    out.push({ name: `${stack}.final_layer_norm.weight`, shape: [d], std: 0, linear: false });
  }
  if (!c.tieEmbeddings) out.push({ name: 'lm_head.weight', shape: [d, c.vocabSize], std: 1, linear: true });
  return out;
}
