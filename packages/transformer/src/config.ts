/**
 * One config object selects the architecture of a {@link TransformerLM}:
 *
 * - `gpt2`: learned absolute positions, LayerNorm, GELU (tanh) MLP with `dFF = 4·d`, multi-head attention,
 *   biases everywhere, tied input/output embeddings (Radford et al. 2019).
 * - `llama`: rotary position embeddings (Su et al. 2021), RMSNorm, SwiGLU MLP, grouped-query attention
 *   (`nKvHeads` divides `nHeads`), no biases, tied or untied output (Touvron et al. 2023).
 *
 * {@link toHfConfig} / {@link fromHfConfig} translate to and from Hugging Face `config.json` field names.
 */
import { ConfigError, is, resolveConfig, type ConfigSpec } from '@xrec/core';

export type Arch = 'gpt2' | 'llama';

export interface TransformerConfig {
  readonly arch: Arch;
  readonly vocabSize: number;
  /** Max positions (GPT-2 n_positions; Llama max_position_embeddings). */
  readonly contextLength: number;
  readonly dModel: number;
  readonly nLayers: number;
  readonly nHeads: number;
  /** = nHeads for gpt2; grouped-query for llama. */
  readonly nKvHeads: number;
  /** MLP hidden size (gpt2: 4·d; llama: intermediate_size). */
  readonly dFF: number;
  /** Dropout on embeddings, attention probabilities and residual branches (training only). */
  readonly dropout: number;
  /** layer_norm_epsilon / rms_norm_eps. */
  readonly normEps: number;
  /** RoPE base (llama only). */
  readonly ropeTheta: number;
  readonly tieEmbeddings: boolean;
  /**
   * `causal`: a position attends to itself and earlier ones (decoders, generation); `bidirectional`: to every
   * non-padding position (encoders, masked-LM use; such a model cannot `generate`).
   */
  readonly attention: AttentionKind;
}

export type AttentionKind = 'causal' | 'bidirectional';

/** GPT-2 small (124M), as in Hugging Face's `gpt2` config. */
export const DEFAULT_GPT2_CONFIG: TransformerConfig = Object.freeze({
  arch: 'gpt2',
  vocabSize: 50257,
  contextLength: 1024,
  dModel: 768,
  nLayers: 12,
  nHeads: 12,
  nKvHeads: 12,
  dFF: 3072,
  dropout: 0.1,
  normEps: 1e-5,
  ropeTheta: 10000,
  tieEmbeddings: true,
  attention: 'causal',
});

/** Llama-2-7B's shape (Touvron et al. 2023), as in Hugging Face's `LlamaConfig` for that model. */
export const DEFAULT_LLAMA_CONFIG: TransformerConfig = Object.freeze({
  arch: 'llama',
  vocabSize: 32000,
  contextLength: 4096,
  dModel: 4096,
  nLayers: 32,
  nHeads: 32,
  nKvHeads: 32,
  dFF: 11008,
  dropout: 0,
  normEps: 1e-5,
  ropeTheta: 10000,
  tieEmbeddings: false,
  attention: 'causal',
});

/** Llama's default MLP width for a model width d: ⌈(2/3·4d) / 32⌉·32 (llama2.c's `multiple_of` rule with 32). */
export function llamaHiddenDim(dModel: number): number {
  const h = Math.floor((2 * 4 * dModel) / 3);
  return Math.ceil(h / 32) * 32;
}

const posInt = { check: is.int(1) };

/**
 * Fill defaults for the architecture and validate once (the core resolver: unknown fields are errors that
 * name the closest field, the result is frozen). Unspecified `dFF` follows `dModel` (gpt2: 4·d; llama:
 * {@link llamaHiddenDim}); unspecified `nKvHeads` equals `nHeads`; everything else defaults to the
 * architecture's reference shape (GPT-2 small, Llama-2-7B).
 */
export function resolveTransformerConfig(partial: Partial<TransformerConfig> & { arch: Arch }): TransformerConfig {
  if (partial === null || typeof partial !== 'object' || (partial.arch !== 'gpt2' && partial.arch !== 'llama')) {
    throw new ConfigError(`TransformerConfig.arch must be 'gpt2' or 'llama', got ${JSON.stringify(partial?.arch)}`);
  }
  const base = partial.arch === 'gpt2' ? DEFAULT_GPT2_CONFIG : DEFAULT_LLAMA_CONFIG;
  const spec: ConfigSpec<TransformerConfig> = {
    arch: { check: is.oneOf(['gpt2', 'llama']) },
    vocabSize: { ...posInt, default: base.vocabSize },
    contextLength: { ...posInt, default: base.contextLength },
    dModel: { ...posInt, default: base.dModel },
    nLayers: { ...posInt, default: base.nLayers },
    nHeads: { ...posInt, default: base.nHeads },
    nKvHeads: { ...posInt, default: (c) => (partial.nHeads !== undefined ? c.nHeads! : base.nKvHeads) },
    dFF: { ...posInt, default: (c) => (partial.dModel !== undefined ? (c.arch === 'gpt2' ? 4 * c.dModel! : llamaHiddenDim(c.dModel!)) : base.dFF) },
    dropout: { check: is.num(0, { max: 1, maxExclusive: true }), default: base.dropout },
    normEps: { check: is.num(0, { exclusive: true }), default: base.normEps },
    ropeTheta: { check: is.num(0, { exclusive: true }), default: base.ropeTheta },
    tieEmbeddings: { check: is.bool(), default: base.tieEmbeddings },
    attention: { check: is.oneOf(['causal', 'bidirectional']), default: base.attention },
  };
  const c = resolveConfig('TransformerConfig', spec, partial);
  if (c.dModel % c.nHeads !== 0) throw new ConfigError(`TransformerConfig.nHeads (${c.nHeads}) must divide dModel (${c.dModel})`);
  if (c.nHeads % c.nKvHeads !== 0) throw new ConfigError(`TransformerConfig.nKvHeads (${c.nKvHeads}) must divide nHeads (${c.nHeads})`);
  if (c.arch === 'gpt2' && c.nKvHeads !== c.nHeads) {
    throw new ConfigError(`TransformerConfig.nKvHeads (${c.nKvHeads}) must equal nHeads (${c.nHeads}) for arch 'gpt2'`);
  }
  if (c.arch === 'llama' && (c.dModel / c.nHeads) % 2 !== 0) {
    throw new ConfigError(`TransformerConfig: llama head size dModel/nHeads = ${c.dModel / c.nHeads} must be even for rotary embeddings`);
  }
  return c;
}

/** Hugging Face `config.json` fields for a config (GPT2LMHeadModel / LlamaForCausalLM). */
export function toHfConfig(c: TransformerConfig): Record<string, unknown> {
  if (c.arch === 'gpt2') {
    return {
      model_type: 'gpt2',
      architectures: ['GPT2LMHeadModel'],
      vocab_size: c.vocabSize,
      n_positions: c.contextLength,
      n_ctx: c.contextLength,
      n_embd: c.dModel,
      n_layer: c.nLayers,
      n_head: c.nHeads,
      n_inner: c.dFF,
      activation_function: 'gelu_new',
      resid_pdrop: c.dropout,
      embd_pdrop: c.dropout,
      attn_pdrop: c.dropout,
      layer_norm_epsilon: c.normEps,
      tie_word_embeddings: c.tieEmbeddings,
      xrec_attention: c.attention,
    };
  }
  return {
    model_type: 'llama',
    architectures: ['LlamaForCausalLM'],
    vocab_size: c.vocabSize,
    max_position_embeddings: c.contextLength,
    hidden_size: c.dModel,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nKvHeads,
    intermediate_size: c.dFF,
    hidden_act: 'silu',
    rms_norm_eps: c.normEps,
    rope_theta: c.ropeTheta,
    rope_scaling: null,
    attention_bias: false,
    mlp_bias: false,
    attention_dropout: c.dropout,
    tie_word_embeddings: c.tieEmbeddings,
    xrec_attention: c.attention,
  };
}

function field(json: Record<string, unknown>, where: string, ...names: string[]): unknown {
  for (const n of names) if (json[n] !== undefined && json[n] !== null) return json[n];
  throw new ConfigError(`${where}: missing field ${names.map((n) => `'${n}'`).join(' / ')}`);
}

function opt<T>(json: Record<string, unknown>, name: string, dflt: T): T {
  const v = json[name];
  return v === undefined || v === null ? dflt : (v as T);
}

/** Parse a Hugging Face GPT-2 or Llama `config.json` object (`where` names the file in errors). */
/** `xrec_attention` (or the older `xrec_bidirectional` flag) of a config.json; causal when absent. */
function attentionOf(json: Record<string, unknown>): AttentionKind {
  const a = json.xrec_attention;
  if (a !== undefined) return a as AttentionKind; // validated by resolveTransformerConfig
  return json.xrec_bidirectional === true ? 'bidirectional' : 'causal';
}

export function fromHfConfig(json: Record<string, unknown>, where = 'config.json'): TransformerConfig {
  const type = json.model_type;
  if (type === 'gpt2') {
    const act = opt(json, 'activation_function', 'gelu_new');
    if (act !== 'gelu_new' && act !== 'gelu_pytorch_tanh') {
      throw new ConfigError(`${where}: activation_function '${String(act)}' is not supported (expected 'gelu_new')`);
    }
    const d = field(json, where, 'n_embd') as number;
    return resolveTransformerConfig({
      arch: 'gpt2',
      vocabSize: field(json, where, 'vocab_size') as number,
      contextLength: field(json, where, 'n_positions', 'n_ctx') as number,
      dModel: d,
      nLayers: field(json, where, 'n_layer') as number,
      nHeads: field(json, where, 'n_head') as number,
      dFF: opt(json, 'n_inner', 4 * d),
      dropout: opt(json, 'resid_pdrop', 0.1),
      normEps: opt(json, 'layer_norm_epsilon', 1e-5),
      tieEmbeddings: opt(json, 'tie_word_embeddings', true),
      attention: attentionOf(json),
    });
  }
  if (type === 'llama') {
    const act = opt(json, 'hidden_act', 'silu');
    if (act !== 'silu') throw new ConfigError(`${where}: hidden_act '${String(act)}' is not supported (expected 'silu')`);
    if (json.rope_scaling !== undefined && json.rope_scaling !== null) {
      throw new ConfigError(`${where}: rope_scaling ${JSON.stringify(json.rope_scaling)} is not supported (expected null)`);
    }
    if (json.attention_bias === true || json.mlp_bias === true) {
      throw new ConfigError(`${where}: attention_bias / mlp_bias = true is not supported (Llama without biases)`);
    }
    const heads = field(json, where, 'num_attention_heads') as number;
    return resolveTransformerConfig({
      arch: 'llama',
      vocabSize: field(json, where, 'vocab_size') as number,
      contextLength: field(json, where, 'max_position_embeddings') as number,
      dModel: field(json, where, 'hidden_size') as number,
      nLayers: field(json, where, 'num_hidden_layers') as number,
      nHeads: heads,
      nKvHeads: opt(json, 'num_key_value_heads', heads),
      dFF: field(json, where, 'intermediate_size') as number,
      dropout: opt(json, 'attention_dropout', 0),
      normEps: opt(json, 'rms_norm_eps', 1e-6),
      ropeTheta: opt(json, 'rope_theta', 10000),
      tieEmbeddings: opt(json, 'tie_word_embeddings', false),
      attention: attentionOf(json),
    });
  }
  throw new ConfigError(`${where}: model_type ${JSON.stringify(type)} is not supported (expected 'gpt2' or 'llama')`);
}
