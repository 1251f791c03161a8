/**
 * PromptRec's scoring: p(like) = softmax over [z(negative), z(positive)] = σ(z_pos − z_neg), where z are the
 * label words' logits at the mask position (a masked LM: the paper's main setting) or the next-token logits
 * after the prompt (a causal LM, which continues the causal suffix). A label word that is not one vocabulary
 * entry uses the last sub-token of " " + word (the reference's rule). Only the two label rows of the output
 * layer are used; prompts go through the model `batchSize` at a time.
 */
import { ConfigError, VocabError } from '@xrec/core';
import type { TextCodec, Tokenizer } from '@xrec/tokenizer';
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

export interface ScoreOptions {
  readonly batchSize?: number;
  /** An id put before every prompt (a causal LM's `<bos>`). */
  readonly bos?: number;
  readonly progress?: ScoreProgress;
}

/**
 * The special-token texts a prompt is built with for this model and tokenizer: the separator (`[SEP]` where
 * the vocabulary has it, else the end-of-text token) and, for a masked LM, the mask token.
 */
export function promptTokens(model: TransformerLM, tok: Pick<Tokenizer, 'specialTokens' | 'tokenToId' | 'eosId' | 'maskId'>): { sep: string; mask?: string } {
  const byId = new Map(Object.entries(tok.specialTokens).map(([name, id]) => [id, name]));
  const sep = tok.tokenToId('[SEP]') !== undefined ? '[SEP]' : tok.eosId !== undefined ? byId.get(tok.eosId) : undefined;
  if (sep === undefined) throw new VocabError('PromptRec: the tokenizer has neither [SEP] nor an end-of-text token to separate profile and question');
  if (model.config.attention === 'causal') return { sep };
  const mask = tok.maskId !== undefined ? byId.get(tok.maskId) : undefined;
  if (mask === undefined) throw new VocabError(`PromptRec: the masked LM's tokenizer has no mask token (special tokens: ${[...byId.values()].join(', ')})`);
  return { sep, mask };
}

function encodeAll(model: TransformerLM, tok: TextCodec, prompts: readonly string[], s: number, bs: number, bos: number | undefined): number[][] {
  const ctx = model.config.contextLength;
  return prompts.slice(s, s + bs).map((p, i) => {
    const ids = [...(bos !== undefined ? [bos] : []), ...tok.encode(p, { allowSpecial: true })];
    if (ids.length > ctx) throw new VocabError(`PromptRec: prompt ${s + i} has ${ids.length} tokens, more than the model's context of ${ctx}`);
    return ids;
  });
}

/**
 * p(like) of each prompt (built with {@link promptTokens}; special-token texts in it are read as special
 * tokens): at its mask token for a masked LM (exactly one per prompt), after its last token for a causal LM.
 */
export function scorePrompts(model: TransformerLM, tok: TextCodec, prompts: readonly string[], opts: ScoreOptions = {}): Float64Array {
  const neg = labelId(tok, LABEL_WORDS.negative);
  const pos = labelId(tok, LABEL_WORDS.positive);
  const masked = model.config.attention === 'bidirectional';
  if (masked && tok.maskId === undefined) throw new ConfigError('PromptRec: a masked LM needs a tokenizer with a mask token');
  const bs = opts.batchSize ?? 64;
  const out = new Float64Array(prompts.length);
  for (let s = 0; s < prompts.length; s += bs) {
    const rows = encodeAll(model, tok, prompts, s, bs, masked ? undefined : opts.bos);
    const at = rows.map((r, i) => {
      if (!masked) return r.length - 1;
      const where = r.flatMap((id, j) => (id === tok.maskId ? [j] : []));
      if (where.length !== 1) throw new VocabError(`PromptRec: prompt ${s + i} has ${where.length} mask tokens; a masked-LM prompt needs exactly one`);
      return where[0]!;
    });
    const z = tokenLogits(model, rows, at, [neg, pos]);
    const v = z.dataSync();
    z.dispose();
    for (let i = 0; i < rows.length; i++) out[s + i] = 1 / (1 + Math.exp(v[2 * i]! - v[2 * i + 1]!));
    opts.progress?.tick(rows.length);
  }
  return out;
}
