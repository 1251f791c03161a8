/**
 * What distinguishes one decoder architecture from another, as data: parameter names and shapes (Hugging
 * Face's), which tensors make up a block, the norm and its placement, the MLP, the position scheme and the
 * output head. One file per architecture family (gpt2.ts, llama.ts, bert.ts).
 */
import type { TransformerConfig } from '../config.js';

export interface ParamSpec {
  /** HF parameter name. */
  readonly name: string;
  /** Shape in compute layout. */
  readonly shape: readonly number[];
  readonly init: 'normal' | 'zeros' | 'ones';
  readonly std: number;
  /** For weights of linear layers: the HF module name and storage layout. */
  readonly linear?: { readonly module: string; readonly layout: 'conv1d' | 'linear' };
}

/** Std of GPT-2 / Llama random init. */
export const INIT_STD = 0.02;

/** Names of one block's tensors: norms as [weight, bias?], linear modules by HF module name. */
export interface BlockNames {
  readonly norm1: readonly [string, string | undefined];
  readonly norm2: readonly [string, string | undefined];
  /** One fused q|k|v projection (GPT-2's c_attn) or three (q, k, v). */
  readonly qkv: readonly string[];
  readonly out: string;
  /** One input projection (GELU MLP) or two (SwiGLU: gate, up). */
  readonly mlpIn: readonly string[];
  readonly mlpOut: string;
}

export interface ArchSpec {
  readonly name: TransformerConfig['arch'];
  params(c: TransformerConfig): ParamSpec[];
  readonly embedding: string;
  /** Learned position embeddings (GPT-2's wpe), or none (RoPE). */
  readonly positions: string | undefined;
  block(i: number): BlockNames;
  /** The norm after the last block (pre-norm decoders), or none (post-norm encoders). */
  readonly finalNorm: readonly [string, string | undefined] | undefined;
  /** `pre`: x + f(norm(x)) (GPT-2, Llama); `post`: norm(x + f(x)) (BERT). */
  readonly placement: 'pre' | 'post';
  /** Token-type (segment) embeddings [types, d] (BERT); inputs use type 0. */
  readonly tokenTypes?: string;
  /** LayerNorm over the summed input embeddings (BERT). */
  readonly embeddingNorm?: readonly [string, string | undefined];
  /** A masked-LM head before the output layer: dense → activation → LayerNorm, then logits + bias (BERT). */
  readonly mlmHead?: { readonly dense: string; readonly norm: readonly [string, string]; readonly bias: string };
  /** HF module name of an untied output layer. */
  readonly outputModule: string;
  /** Tensors of HF files that are not parameters (buffers, poolers, tied aliases): skipped on load. */
  readonly skipOnLoad?: readonly RegExp[];
  readonly norm: 'layer' | 'rms';
  readonly mlp: 'gelu' | 'swiglu';
  readonly rope: boolean;
  /** Checkpoint names that may omit the model prefix (GPT-2 files without `transformer.`). */
  readonly prefix?: string;
}

/** Helpers the specs share to list parameters. */
export function paramList(c: TransformerConfig): {
  out: ParamSpec[];
  lin(module: string, inF: number, outF: number, layout: 'conv1d' | 'linear', bias: boolean, std?: number): void;
  norm(prefix: string, bias: boolean): void;
  projStd: number;
} {
  const d = c.dModel;
  const out: ParamSpec[] = [];
  return {
    out,
    projStd: INIT_STD / Math.sqrt(2 * c.nLayers),
    lin(module, inF, outF, layout, bias, std = INIT_STD) {
      out.push({ name: `${module}.weight`, shape: [inF, outF], init: 'normal', std, linear: { module, layout } });
      if (bias) out.push({ name: `${module}.bias`, shape: [outF], init: 'zeros', std: 0 });
    },
    norm(prefix, bias) {
      out.push({ name: `${prefix}.weight`, shape: [d], init: 'ones', std: 0 });
      if (bias) out.push({ name: `${prefix}.bias`, shape: [d], init: 'zeros', std: 0 });
    },
  };
}
