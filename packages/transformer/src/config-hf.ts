/**
 * Hugging Face `config.json` ⇄ {@link TransformerConfig}: GPT2LMHeadModel, LlamaForCausalLM, BertForMaskedLM
 * and RobertaForMaskedLM field names. xrec writes its own `xrec_attention` field (a causal model trained
 * bidirectionally, or the reverse, keeps its mask on reload); files without it take the architecture's mask.
 * An encoder trained with a distance bias also writes `xrec_position_bias` (Hugging Face's BERT has no such field).
 */
import { ConfigError } from '@xrec/core';
import { resolveTransformerConfig, type AttentionKind, type HiddenAct, type TransformerConfig } from './config.js';

/** Hugging Face `config.json` fields for a config. */
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
      activation_function: c.hiddenAct,
      resid_pdrop: c.dropout,
      embd_pdrop: c.dropout,
      attn_pdrop: c.dropout,
      layer_norm_epsilon: c.normEps,
      tie_word_embeddings: c.tieEmbeddings,
      xrec_attention: c.attention,
    };
  }
  if (c.arch === 'bert' || c.arch === 'roberta') {
    return {
      model_type: c.arch,
      architectures: [c.arch === 'bert' ? 'BertForMaskedLM' : 'RobertaForMaskedLM'],
      vocab_size: c.vocabSize,
      max_position_embeddings: c.contextLength,
      hidden_size: c.dModel,
      num_hidden_layers: c.nLayers,
      num_attention_heads: c.nHeads,
      intermediate_size: c.dFF,
      hidden_act: c.hiddenAct,
      hidden_dropout_prob: c.dropout,
      attention_probs_dropout_prob: c.dropout,
      layer_norm_eps: c.normEps,
      type_vocab_size: c.typeVocabSize,
      position_embedding_type: 'absolute',
      tie_word_embeddings: c.tieEmbeddings,
      ...(c.arch === 'roberta' ? { pad_token_id: c.positionOffset - 1 } : {}),
      xrec_attention: c.attention,
      ...(c.positionBias !== 'none' ? { xrec_position_bias: c.positionBias } : {}),
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

/** `xrec_attention` (or the older `xrec_bidirectional` flag) of a config.json; the architecture's mask when absent. */
function attentionOf(json: Record<string, unknown>, dflt: AttentionKind): AttentionKind {
  const a = json.xrec_attention;
  if (a !== undefined) return a as AttentionKind; // validated by resolveTransformerConfig
  return json.xrec_bidirectional === true ? 'bidirectional' : dflt;
}

function geluAct(json: Record<string, unknown>, name: string, dflt: HiddenAct, where: string): HiddenAct {
  const act: unknown = opt(json, name, dflt);
  if (act === 'gelu_new' || act === 'gelu_pytorch_tanh') return 'gelu_new';
  if (act === 'gelu') return 'gelu';
  throw new ConfigError(`${where}: ${name} '${String(act)}' is not supported (expected 'gelu' or 'gelu_new')`);
}

function fromEncoder(json: Record<string, unknown>, where: string, arch: 'bert' | 'roberta'): TransformerConfig {
  const pet = opt(json, 'position_embedding_type', 'absolute');
  if (pet !== 'absolute') throw new ConfigError(`${where}: position_embedding_type '${String(pet)}' is not supported (expected 'absolute')`);
  if (json.is_decoder === true || json.add_cross_attention === true) throw new ConfigError(`${where}: decoder / cross-attention ${arch} models are not supported (an encoder is expected)`);
  return resolveTransformerConfig({
    arch,
    vocabSize: field(json, where, 'vocab_size') as number,
    contextLength: field(json, where, 'max_position_embeddings') as number,
    dModel: field(json, where, 'hidden_size') as number,
    nLayers: field(json, where, 'num_hidden_layers') as number,
    nHeads: field(json, where, 'num_attention_heads') as number,
    dFF: field(json, where, 'intermediate_size') as number,
    dropout: opt(json, 'hidden_dropout_prob', 0.1),
    normEps: opt(json, 'layer_norm_eps', 1e-12),
    tieEmbeddings: opt(json, 'tie_word_embeddings', true),
    attention: attentionOf(json, 'bidirectional'),
    hiddenAct: geluAct(json, 'hidden_act', 'gelu', where),
    typeVocabSize: opt(json, 'type_vocab_size', 2),
    positionOffset: arch === 'roberta' ? (opt(json, 'pad_token_id', 1) as number) + 1 : 0,
    positionBias: opt(json, 'xrec_position_bias', 'none'),
  });
}

/** Parse a Hugging Face GPT-2, Llama, BERT or RoBERTa `config.json` object (`where` names the file in errors). */
export function fromHfConfig(json: Record<string, unknown>, where = 'config.json'): TransformerConfig {
  const type = json.model_type;
  if (type === 'gpt2') {
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
      attention: attentionOf(json, 'causal'),
      hiddenAct: geluAct(json, 'activation_function', 'gelu_new', where),
    });
  }
  if (type === 'bert' || type === 'roberta') return fromEncoder(json, where, type);
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
      attention: attentionOf(json, 'causal'),
    });
  }
  throw new ConfigError(`${where}: model_type ${JSON.stringify(type)} is not supported (expected 'gpt2', 'llama', 'bert' or 'roberta')`);
}
