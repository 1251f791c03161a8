/**
 * One config object selects the architecture of a {@link TransformerLM}:
 *
 * - `gpt2`: learned absolute positions, LayerNorm, GELU (tanh) MLP with `dFF = 4·d`, multi-head attention,
 *   biases everywhere, tied input/output embeddings (Radford et al. 2019).
 * - `llama`: rotary position embeddings (Su et al. 2021), RMSNorm, SwiGLU MLP, grouped-query attention
 *   (`nKvHeads` divides `nHeads`), no biases, tied or untied output (Touvron et al. 2023).
 * - `bert` / `roberta`: bidirectional encoders with a masked-LM head (Devlin et al. 2019; Liu et al. 2019):
 *   learned absolute and token-type embeddings with a LayerNorm, post-LayerNorm blocks, GELU MLP, biases
 *   everywhere, the MLM head (dense → GELU → LayerNorm → tied embedding + bias). RoBERTa differs in names, one
 *   token type and positions offset by `padding_idx + 1`.
 *
 * config-hf.ts translates to and from Hugging Face `config.json` field names.
 */
import { ConfigError, is, resolveConfig, type ConfigSpec } from '@xrec/core';

export type Arch = 'gpt2' | 'llama' | 'bert' | 'roberta';

export const ARCHS: readonly Arch[] = ['gpt2', 'llama', 'bert', 'roberta'];

/** MLP activation: GPT-2's tanh GELU (`gelu_new`), the exact erf GELU (`gelu`, BERT's), SiLU (Llama's SwiGLU gate). */
export type HiddenAct = 'gelu_new' | 'gelu' | 'silu';

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
  /** MLP activation (gpt2: gelu_new; llama: silu; bert/roberta: gelu or gelu_new). */
  readonly hiddenAct: HiddenAct;
  /** Token-type (segment) embeddings: BERT 2, RoBERTa 1; 0 for decoders. Inputs use type 0. */
  readonly typeVocabSize: number;
  /** Added to every position id before the position-embedding lookup (RoBERTa: padding_idx + 1 = 2). */
  readonly positionOffset: number;
  /**
   * A fixed additive attention bias by distance (none for Hugging Face checkpoints): `alibi` adds
   * −m_h·|i − j| to head h's scores, with ALiBi's slopes m_h = 2^(−8h/H) (Press et al. 2022), symmetric for
   * bidirectional encoders. It gives an encoder locality from the first update (see attention-bias.ts).
   */
  readonly positionBias: PositionBias;
}

export type PositionBias = 'none' | 'alibi';

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
  hiddenAct: 'gelu_new',
  typeVocabSize: 0,
  positionOffset: 0,
  positionBias: 'none',
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
  hiddenAct: 'silu',
  typeVocabSize: 0,
  positionOffset: 0,
  positionBias: 'none',
});

/** BERT-base (110M), as in Hugging Face's `bert-base-uncased` config. */
export const DEFAULT_BERT_CONFIG: TransformerConfig = Object.freeze({
  arch: 'bert',
  vocabSize: 30522,
  contextLength: 512,
  dModel: 768,
  nLayers: 12,
  nHeads: 12,
  nKvHeads: 12,
  dFF: 3072,
  dropout: 0.1,
  normEps: 1e-12,
  ropeTheta: 10000,
  tieEmbeddings: true,
  attention: 'bidirectional',
  hiddenAct: 'gelu',
  typeVocabSize: 2,
  positionOffset: 0,
  positionBias: 'none',
});

/** RoBERTa-base (125M), as in Hugging Face's `roberta-base` config (514 positions: 512 + the pad offset). */
export const DEFAULT_ROBERTA_CONFIG: TransformerConfig = Object.freeze({
  ...DEFAULT_BERT_CONFIG,
  arch: 'roberta',
  vocabSize: 50265,
  contextLength: 514,
  normEps: 1e-5,
  typeVocabSize: 1,
  positionOffset: 2,
});

const DEFAULTS: Readonly<Record<Arch, TransformerConfig>> = { gpt2: DEFAULT_GPT2_CONFIG, llama: DEFAULT_LLAMA_CONFIG, bert: DEFAULT_BERT_CONFIG, roberta: DEFAULT_ROBERTA_CONFIG };

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
  if (partial === null || typeof partial !== 'object' || !ARCHS.includes(partial.arch)) {
    throw new ConfigError(`TransformerConfig.arch must be one of ${ARCHS.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(partial?.arch)}`);
  }
  const base = DEFAULTS[partial.arch];
  const spec: ConfigSpec<TransformerConfig> = {
    arch: { check: is.oneOf(ARCHS) },
    vocabSize: { ...posInt, default: base.vocabSize },
    contextLength: { ...posInt, default: base.contextLength },
    dModel: { ...posInt, default: base.dModel },
    nLayers: { ...posInt, default: base.nLayers },
    nHeads: { ...posInt, default: base.nHeads },
    nKvHeads: { ...posInt, default: (c) => (partial.nHeads !== undefined ? c.nHeads! : base.nKvHeads) },
    dFF: { ...posInt, default: (c) => (partial.dModel !== undefined ? (c.arch === 'llama' ? llamaHiddenDim(c.dModel!) : 4 * c.dModel!) : base.dFF) },
    dropout: { check: is.num(0, { max: 1, maxExclusive: true }), default: base.dropout },
    normEps: { check: is.num(0, { exclusive: true }), default: base.normEps },
    ropeTheta: { check: is.num(0, { exclusive: true }), default: base.ropeTheta },
    tieEmbeddings: { check: is.bool(), default: base.tieEmbeddings },
    attention: { check: is.oneOf(['causal', 'bidirectional']), default: base.attention },
    hiddenAct: { check: is.oneOf(['gelu_new', 'gelu', 'silu']), default: base.hiddenAct },
    typeVocabSize: { check: is.int(0), default: base.typeVocabSize },
    positionOffset: { check: is.int(0), default: base.positionOffset },
    positionBias: { check: is.oneOf(['none', 'alibi']), default: base.positionBias },
  };
  const c = resolveConfig('TransformerConfig', spec, partial);
  if (c.dModel % c.nHeads !== 0) throw new ConfigError(`TransformerConfig.nHeads (${c.nHeads}) must divide dModel (${c.dModel})`);
  if (c.nHeads % c.nKvHeads !== 0) throw new ConfigError(`TransformerConfig.nKvHeads (${c.nKvHeads}) must divide nHeads (${c.nHeads})`);
  if (c.arch !== 'llama' && c.nKvHeads !== c.nHeads) {
    throw new ConfigError(`TransformerConfig.nKvHeads (${c.nKvHeads}) must equal nHeads (${c.nHeads}) for arch '${c.arch}'`);
  }
  if ((c.arch === 'llama') !== (c.hiddenAct === 'silu')) {
    throw new ConfigError(`TransformerConfig.hiddenAct '${c.hiddenAct}' does not fit arch '${c.arch}' (llama: silu; gpt2, bert, roberta: gelu_new or gelu)`);
  }
  const encoder = c.arch === 'bert' || c.arch === 'roberta';
  if (encoder && c.typeVocabSize < 1) throw new ConfigError(`TransformerConfig.typeVocabSize must be >= 1 for arch '${c.arch}', got ${c.typeVocabSize}`);
  if (!encoder && (c.typeVocabSize !== 0 || c.positionOffset !== 0)) {
    throw new ConfigError(`TransformerConfig.typeVocabSize / positionOffset apply to bert and roberta only (arch '${c.arch}')`);
  }
  if (c.positionBias !== 'none' && c.attention !== 'bidirectional') {
    throw new ConfigError(`TransformerConfig.positionBias '${c.positionBias}' applies to bidirectional attention only (attention '${c.attention}')`);
  }
  if (c.positionOffset >= c.contextLength) throw new ConfigError(`TransformerConfig.positionOffset (${c.positionOffset}) must be < contextLength (${c.contextLength})`);
  if (c.arch === 'llama' && (c.dModel / c.nHeads) % 2 !== 0) {
    throw new ConfigError(`TransformerConfig: llama head size dModel/nHeads = ${c.dModel / c.nHeads} must be even for rotary embeddings`);
  }
  return c;
}
