/**
 * PromptRec's scoring: p(like) = softmax over [z(negative), z(positive)] = σ(z_pos − z_neg), where z are the
 * label words' logits at the mask position (a masked LM: the paper's main setting) or the next-token logits
 * after the prompt (a causal LM, which continues the causal suffix). A label word that is not one vocabulary
 * entry uses the last sub-token of " " + word (the reference's rule). Only the two label rows of the output
 * layer are used; prompts go through the model `batchSize` at a time.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, ShapeError, VocabError } from '@xrec/core';
import type { TextCodec, Tokenizer } from '@xrec/tokenizer';
import type { TransformerLM } from '@xrec/transformer';

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

/** Soft prompt vectors put before every prompt (e.g. a `PromptTuning` of @xrec/prompts). */
export interface SoftPrompt {
  readonly tokens: number;
  prefix(batch: number): tf.Tensor3D;
}

export interface ScoreOptions {
  readonly batchSize?: number;
  /** A tuned soft prompt before every prompt (few-shot prompt tuning). */
  readonly prompt?: SoftPrompt;
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

/**
 * z(positive) − z(negative) [B] of token rows at positions `at` (the mask, or the last token of a causal
 * prompt), with an optional soft prompt before the tokens; differentiable (prompt tuning trains through it).
 * Rows are right-padded; only the two label rows of the output layer are used.
 */
export function labelMargins(model: TransformerLM, rows: readonly (readonly number[])[], at: readonly number[], labels: readonly [number, number], prompt?: SoftPrompt): tf.Tensor1D {
  const B = rows.length;
  if (B === 0 || at.length !== B) throw new ShapeError(`labelMargins: ${B} rows and ${at.length} positions`);
  const P = prompt?.tokens ?? 0;
  const S = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(B * S);
  const mask = new Int32Array(B * (P + S));
  rows.forEach((r, b) => {
    if (!(at[b]! >= 0 && at[b]! < r.length)) throw new ShapeError(`labelMargins: position ${at[b]} is outside row ${b} (length ${r.length})`);
    ids.set(r, b * S);
    mask.fill(1, b * (P + S), b * (P + S) + P + r.length);
  });
  return tf.tidy(() => {
    const hidden = model.hiddenStates({
      ids: tf.tensor2d(ids, [B, S], 'int32'),
      attentionMask: tf.tensor2d(mask, [B, P + S], 'int32'),
      ...(prompt ? { prefix: prompt.prefix(B) } : {}),
    });
    const flat = tf.reshape(hidden, [B * (P + S), model.config.dModel]) as tf.Tensor2D;
    const h = tf.gather(flat, tf.tensor1d(at.map((a, b) => b * (P + S) + P + a), 'int32')) as tf.Tensor2D;
    const z = model.logitsFor(h, labels); // [B, 2]
    return tf.reshape(tf.sub(tf.slice(z, [0, 1], [B, 1]), tf.slice(z, [0, 0], [B, 1])), [B]) as tf.Tensor1D;
  });
}

/** The token rows of prompts and the position scored in each (the one mask, or the last token). */
export function encodePrompts(model: TransformerLM, tok: TextCodec, prompts: readonly string[], bos?: number): { rows: number[][]; at: number[] } {
  const masked = model.config.attention === 'bidirectional';
  if (masked && tok.maskId === undefined) throw new ConfigError('PromptRec: a masked LM needs a tokenizer with a mask token');
  const rows = encodeAll(model, tok, prompts, 0, prompts.length, masked ? undefined : bos);
  const at = rows.map((r, i) => {
    if (!masked) return r.length - 1;
    const where = r.flatMap((id, j) => (id === tok.maskId ? [j] : []));
    if (where.length !== 1) throw new VocabError(`PromptRec: prompt ${i} has ${where.length} mask tokens; a masked-LM prompt needs exactly one`);
    return where[0]!;
  });
  return { rows, at };
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
  const labels = [labelId(tok, LABEL_WORDS.negative), labelId(tok, LABEL_WORDS.positive)] as const;
  const bs = opts.batchSize ?? 64;
  const out = new Float64Array(prompts.length);
  for (let s = 0; s < prompts.length; s += bs) {
    const chunk = prompts.slice(s, s + bs);
    let enc: { rows: number[][]; at: number[] };
    try {
      enc = encodePrompts(model, tok, chunk, opts.bos);
    } catch (e) {
      // name the prompt by its index in the whole list
      if (e instanceof VocabError) throw new VocabError(e.message.replace(/prompt (\d+)/, (_m, i: string) => `prompt ${s + Number(i)}`));
      throw e;
    }
    const z = labelMargins(model, enc.rows, enc.at, labels, opts.prompt);
    const v = z.dataSync();
    z.dispose();
    for (let i = 0; i < chunk.length; i++) out[s + i] = 1 / (1 + Math.exp(-v[i]!));
    opts.progress?.tick(chunk.length);
  }
  return out;
}
