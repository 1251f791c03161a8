/**
 * PromptRec's soft prompts: what a trainable prompt offers the scorer and the tuner, and their initialisation
 * from the embeddings of task words.
 */
import type * as tf from '@tensorflow/tfjs';
import { ConfigError, type Rng } from '@xrec/core';
import { PromptTuning } from '@xrec/prompts';
import type { TextCodec } from '@xrec/tokenizer';
import type { TransformerLM } from '@xrec/transformer';

/** A soft prompt with trainable variables (PromptTuning, or TPPT's task + domain prompt). */
export interface TrainablePrompt {
  readonly tokens: number;
  prefix(batch: number): tf.Tensor3D;
  variables(): Map<string, tf.Variable>;
  dispose(): void;
}

export const DEFAULT_INIT_TEXT = ' user item movie like recommend preference rating feel';

/** The model's token-embedding matrix [V, d]. */
export function tokenEmbeddings(model: TransformerLM): tf.Tensor2D {
  const name = [...model.parameters().keys()].find((n) => n.endsWith('embed_tokens.weight') || n.endsWith('wte.weight') || n.endsWith('word_embeddings.weight'));
  if (!name) throw new ConfigError('PromptRec: the model has no token-embedding matrix');
  return model.parameters().get(name)! as unknown as tf.Tensor2D;
}

/** A PromptTuning of `tokens` virtual tokens initialised from the embeddings of `text`'s tokens (cycled). */
export function wordPrompt(model: TransformerLM, tok: TextCodec, tokens: number, text: string, rng: Rng): PromptTuning {
  const ids = tok.encode(text);
  if (ids.length === 0) throw new ConfigError(`PromptRec: the prompt's init text ${JSON.stringify(text)} encodes to no token`);
  return PromptTuning.create({ tokens, dim: model.config.dModel, init: { kind: 'embeddings', embeddings: tokenEmbeddings(model), ids } }, rng);
}
