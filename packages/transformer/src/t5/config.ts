/**
 * The configuration of a T5 encoder–decoder (Raffel et al. 2020) with Hugging Face's `T5Config` field names:
 * relative position buckets shared by the layers of each stack, RMS layer norm without bias, ReLU (T5 v1.0)
 * or gated-GELU (v1.1) feed-forward, no biases anywhere, a tied (scaled by d^-0.5) or untied LM head.
 */
import { ConfigError, is, resolveConfig, type ConfigSpec } from '@xrec/core';

export interface T5Config {
  readonly vocabSize: number;
  readonly dModel: number;
  /** Size of each head's keys/values (T5's d_kv; inner attention width = nHeads · dKv). */
  readonly dKv: number;
  readonly dFF: number;
  readonly nLayers: number;
  readonly nDecoderLayers: number;
  readonly nHeads: number;
  readonly numBuckets: number;
  readonly maxDistance: number;
  readonly dropout: number;
  readonly normEps: number;
  /** `relu`: wo(relu(wi x)) (T5 v1.0); `gated-gelu`: wo(gelu_new(wi_0 x) ⊙ wi_1 x) (v1.1, flan-t5). */
  readonly ffn: 'relu' | 'gated-gelu';
  readonly tieEmbeddings: boolean;
  readonly padId: number;
  readonly eosId: number;
  /** First decoder input (T5: the pad id). */
  readonly decoderStartId: number;
  /**
   * P5's whole-word embeddings: a table of this many learned vectors added to the encoder's token embeddings,
   * row w for every piece of the w-th word of the input (0 = none, plain T5; P5 uses 512).
   */
  readonly wholeWordEmbeddings: number;
}

/** t5-small's shape (60M parameters). */
export const DEFAULT_T5_CONFIG: T5Config = Object.freeze({
  vocabSize: 32128,
  dModel: 512,
  dKv: 64,
  dFF: 2048,
  nLayers: 6,
  nDecoderLayers: 6,
  nHeads: 8,
  numBuckets: 32,
  maxDistance: 128,
  dropout: 0.1,
  normEps: 1e-6,
  ffn: 'relu',
  tieEmbeddings: true,
  padId: 0,
  eosId: 1,
  decoderStartId: 0,
  wholeWordEmbeddings: 0,
});

const posInt = { check: is.int(1) };
const id = { check: is.int(0) };

/** Fill defaults (t5-small's; nDecoderLayers follows nLayers, dKv follows dModel / nHeads) and validate once. */
export function resolveT5Config(partial: Partial<T5Config> = {}): T5Config {
  const d = DEFAULT_T5_CONFIG;
  const spec: ConfigSpec<T5Config> = {
    vocabSize: { ...posInt, default: d.vocabSize },
    dModel: { ...posInt, default: d.dModel },
    nHeads: { ...posInt, default: d.nHeads },
    dKv: { ...posInt, default: (c) => (partial.dModel !== undefined || partial.nHeads !== undefined ? Math.floor(c.dModel! / c.nHeads!) : d.dKv) },
    dFF: { ...posInt, default: (c) => (partial.dModel !== undefined ? 4 * c.dModel! : d.dFF) },
    nLayers: { ...posInt, default: d.nLayers },
    nDecoderLayers: { ...posInt, default: (c) => c.nLayers! },
    numBuckets: { check: is.int(2), default: d.numBuckets },
    maxDistance: { check: is.int(2), default: d.maxDistance },
    dropout: { check: is.num(0, { max: 1, maxExclusive: true }), default: d.dropout },
    normEps: { check: is.num(0, { exclusive: true }), default: d.normEps },
    ffn: { check: is.oneOf(['relu', 'gated-gelu']), default: d.ffn },
    tieEmbeddings: { check: is.bool(), default: (c) => c.ffn === 'relu' },
    padId: { ...id, default: d.padId },
    eosId: { ...id, default: d.eosId },
    decoderStartId: { ...id, default: (c) => c.padId! },
    wholeWordEmbeddings: { ...id, default: d.wholeWordEmbeddings },
  };
  // resolve in a dependency-friendly order, then present fields in the interface's order
  const c = resolveConfig('T5Config', spec, partial);
  for (const k of ['padId', 'eosId', 'decoderStartId'] as const) {
    if (c[k] >= c.vocabSize) throw new ConfigError(`T5Config.${k} (${c[k]}) must be < vocabSize (${c.vocabSize})`);
  }
  if (c.maxDistance <= c.numBuckets / 4) throw new ConfigError(`T5Config.maxDistance (${c.maxDistance}) must exceed numBuckets / 4 (${c.numBuckets / 4})`);
  return c;
}

/** Hugging Face `config.json` fields (T5ForConditionalGeneration). */
export function t5ToHf(c: T5Config): Record<string, unknown> {
  return {
    model_type: 't5',
    architectures: ['T5ForConditionalGeneration'],
    is_encoder_decoder: true,
    vocab_size: c.vocabSize,
    d_model: c.dModel,
    d_kv: c.dKv,
    d_ff: c.dFF,
    num_layers: c.nLayers,
    num_decoder_layers: c.nDecoderLayers,
    num_heads: c.nHeads,
    relative_attention_num_buckets: c.numBuckets,
    relative_attention_max_distance: c.maxDistance,
    dropout_rate: c.dropout,
    layer_norm_epsilon: c.normEps,
    feed_forward_proj: c.ffn,
    tie_word_embeddings: c.tieEmbeddings,
    pad_token_id: c.padId,
    eos_token_id: c.eosId,
    decoder_start_token_id: c.decoderStartId,
    // not a Hugging Face field: P5's JointEncoder table, written only when the model has one
    ...(c.wholeWordEmbeddings > 0 ? { whole_word_embeddings: c.wholeWordEmbeddings } : {}),
  };
}

function need(json: Record<string, unknown>, where: string, name: string): number {
  const v = json[name];
  if (typeof v !== 'number') throw new ConfigError(`${where}: missing field '${name}'`);
  return v;
}

/** Parse a Hugging Face T5 `config.json` (`where` names the file in errors). */
export function t5FromHf(json: Record<string, unknown>, where = 'config.json'): T5Config {
  if (json.model_type !== 't5') throw new ConfigError(`${where}: model_type ${JSON.stringify(json.model_type)} is not 't5'`);
  const ffRaw = (json.feed_forward_proj as string | undefined) ?? 'relu';
  const ffn = ffRaw === 'gated-gelu' || ffRaw === 'gated-gelu_new' ? 'gated-gelu' : ffRaw;
  if (ffn !== 'relu' && ffn !== 'gated-gelu') throw new ConfigError(`${where}: feed_forward_proj '${ffRaw}' is not supported (expected 'relu' or 'gated-gelu')`);
  const opt = <T>(name: string, dflt: T): T => (json[name] === undefined || json[name] === null ? dflt : (json[name] as T));
  const layers = need(json, where, 'num_layers');
  return resolveT5Config({
    vocabSize: need(json, where, 'vocab_size'),
    dModel: need(json, where, 'd_model'),
    dKv: need(json, where, 'd_kv'),
    dFF: need(json, where, 'd_ff'),
    nLayers: layers,
    nDecoderLayers: opt('num_decoder_layers', layers),
    nHeads: need(json, where, 'num_heads'),
    numBuckets: opt('relative_attention_num_buckets', 32),
    maxDistance: opt('relative_attention_max_distance', 128),
    dropout: opt('dropout_rate', 0.1),
    normEps: opt('layer_norm_epsilon', 1e-6),
    ffn,
    tieEmbeddings: opt('tie_word_embeddings', ffn === 'relu'),
    padId: opt('pad_token_id', 0),
    eosId: opt('eos_token_id', 1),
    decoderStartId: opt('decoder_start_token_id', opt('pad_token_id', 0)),
    wholeWordEmbeddings: opt('whole_word_embeddings', 0),
  });
}
