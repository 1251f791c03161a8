/**
 * The reference's profile-embedding baseline (PromptRec `models/simples.py`: `PairwiseContent`): the user's
 * sentence and the item's sentence are embedded by the language model, and a pair scores
 * cos(user, item) · 0.5 + 0.5 — no training, no interactions. The reference takes BERT's pooler output; xrec's
 * models have no pooler, so a sentence's embedding is the mean of its final hidden states (a deliberate
 * difference).
 */
import { ConfigError } from '@xrec/core';
import { meanPooledStates, type TransformerLM } from '@xrec/transformer';
import type { TextCodec } from '@xrec/tokenizer';

/** Mean-pooled final hidden states of each text, L2-normalised: [texts.length × d] row-major. */
export function embedTexts(model: TransformerLM, tok: TextCodec, texts: readonly string[], batchSize = 64): Float32Array {
  const rows = texts.map((t, i) => {
    const ids = tok.encode(t);
    if (ids.length === 0) throw new ConfigError(`embedTexts: text ${i} is empty`);
    if (ids.length > model.config.contextLength) throw new ConfigError(`embedTexts: text ${i} has ${ids.length} tokens, more than the model's context of ${model.config.contextLength}`);
    return ids;
  });
  return meanPooledStates(model, rows, { batchSize });
}

/**
 * Scores of (user, item) pairs: cos · 0.5 + 0.5 of their sentences' embeddings. `userTexts` / `itemTexts`
 * name each pair's sentences; every distinct sentence is embedded once.
 */
export function profileCosineScores(model: TransformerLM, tok: TextCodec, userTexts: readonly string[], itemTexts: readonly string[], batchSize = 64): Float64Array {
  if (userTexts.length !== itemTexts.length) throw new ConfigError(`profileCosineScores: ${userTexts.length} user texts but ${itemTexts.length} item texts`);
  const distinct = [...new Set([...userTexts, ...itemTexts])];
  const at = new Map(distinct.map((t, i) => [t, i]));
  const e = embedTexts(model, tok, distinct, batchSize);
  const d = model.config.dModel;
  const out = new Float64Array(userTexts.length);
  for (let k = 0; k < userTexts.length; k++) {
    const u = at.get(userTexts[k]!)! * d;
    const v = at.get(itemTexts[k]!)! * d;
    let dot = 0;
    for (let j = 0; j < d; j++) dot += e[u + j]! * e[v + j]!;
    out[k] = dot * 0.5 + 0.5;
  }
  return out;
}
