/**
 * PromptRec's scoring with a causal LM: p(like) = softmax over [z(negative), z(positive)] of the next-token
 * logits after the prompt = σ(z_pos − z_neg). A label word that is not one vocabulary entry uses the last
 * sub-token of " " + word (the reference's rule). Only the two label rows of the output layer are used.
 */
import { VocabError } from '@xrec/core';
import type { TextCodec } from '@xrec/tokenizer';
import { tokenLogits, type TransformerLM } from '@xrec/transformer';

export const LABEL_WORDS = { negative: 'negative', positive: 'positive' } as const;

/** The vocabulary id of a label word: the last sub-token of " " + word. */
export function labelId(tok: Pick<TextCodec, 'encode'>, word: string): number {
  const ids = tok.encode(` ${word}`);
  if (ids.length === 0) throw new VocabError(`PromptRec: the label word '${word}' encodes to no token`);
  return ids[ids.length - 1]!;
}

export interface ScoreProgress {
  tick(n: number): void;
}

/** p(like) of each prompt, `batchSize` prompts per forward pass (the last position of each row is scored). */
export function scorePrompts(model: TransformerLM, tok: TextCodec, prompts: readonly string[], opts: { batchSize?: number; bos?: number; progress?: ScoreProgress } = {}): Float64Array {
  const neg = labelId(tok, LABEL_WORDS.negative);
  const pos = labelId(tok, LABEL_WORDS.positive);
  const bs = opts.batchSize ?? 64;
  const out = new Float64Array(prompts.length);
  const ctx = model.config.contextLength;
  for (let s = 0; s < prompts.length; s += bs) {
    const rows = prompts.slice(s, s + bs).map((p, i) => {
      const ids = [...(opts.bos !== undefined ? [opts.bos] : []), ...tok.encode(p)];
      if (ids.length > ctx) throw new VocabError(`PromptRec: prompt ${s + i} has ${ids.length} tokens, more than the model's context of ${ctx}`);
      return ids;
    });
    const z = tokenLogits(model, rows, rows.map((r) => r.length - 1), [neg, pos]);
    const v = z.dataSync();
    z.dispose();
    for (let i = 0; i < rows.length; i++) out[s + i] = 1 / (1 + Math.exp(v[2 * i]! - v[2 * i + 1]!));
    opts.progress?.tick(rows.length);
  }
  return out;
}
