/**
 * Transferable prompt pre-training (TPPT, PromptRec's `TransferSoftPromptRecommander`): the soft prompt is
 * trainable task vectors followed by a domain prompt γ ⊙ D + β, where D are the frozen embeddings of the
 * *target* domain's top TF-IDF keywords (from its item descriptions) and γ, β (init 1 and 0) are trained. The
 * prompt is trained on the *source* domain's rows and used on the target: a new domain gets a prompt that
 * knows the task without any target interactions (its 50 validation rows only pick the epoch).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, type Rng } from '@xrec/core';
import type { TextCodec } from '@xrec/tokenizer';
import type { TransformerLM } from '@xrec/transformer';
import { tokenEmbeddings, wordPrompt, DEFAULT_INIT_TEXT, type TrainablePrompt } from './prompt-init.js';

const STOP = new Set(
  'the a an and or of to in on at for with is are was were be been it its this that these those as by from into than then there their they he she his her him you your we our not no but if so do does did has have had about after before over under up down out more most very can will would just also'.split(' '),
);

/**
 * The `k` words with the largest summed TF-IDF over `docs` (tf = count / document length, idf = ln(N / df));
 * lower-cased alphabetic words of at least 3 letters, stop words left out; ties by word.
 */
export function topTfidfWords(docs: readonly string[], k: number): string[] {
  if (!Number.isInteger(k) || k < 1) throw new ConfigError(`topTfidfWords: k must be a positive integer, got ${k}`);
  const words = docs.map((d) => (d.toLowerCase().match(/[a-z]+/g) ?? []).filter((w) => w.length >= 3 && !STOP.has(w)));
  const df = new Map<string, number>();
  for (const ws of words) for (const w of new Set(ws)) df.set(w, (df.get(w) ?? 0) + 1);
  const score = new Map<string, number>();
  const N = docs.length;
  for (const ws of words) {
    const tf = new Map<string, number>();
    for (const w of ws) tf.set(w, (tf.get(w) ?? 0) + 1);
    for (const [w, c] of tf) score.set(w, (score.get(w) ?? 0) + (c / ws.length) * Math.log(N / df.get(w)!));
  }
  return [...score].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k).map(([w]) => w);
}

/** Task vectors + γ ⊙ D + β (see the file header). */
/** A TransferablePrompt's shapes and frozen domain embeddings (row-major [domain tokens, dim]). */
export interface TransferableSpec {
  readonly taskTokens: number;
  readonly dim: number;
  readonly domain: readonly number[];
}

export class TransferablePrompt implements TrainablePrompt {
  private constructor(
    private readonly task: tf.Variable,
    private readonly domain: tf.Tensor2D,
    private readonly gamma: tf.Variable,
    private readonly beta: tf.Variable,
  ) {}

  /**
   * `keywords`: the target domain's words (e.g. {@link topTfidfWords}); their tokens (deduplicated, first
   * `domainTokens`) give D. The task vectors start from the embeddings of `taskText`'s tokens.
   */
  static create(model: TransformerLM, tok: TextCodec, o: { keywords: readonly string[]; taskTokens?: number; domainTokens?: number; taskText?: string }, rng: Rng): TransferablePrompt {
    const ids: number[] = [];
    for (const w of o.keywords) for (const id of tok.encode(` ${w}`)) if (!ids.includes(id)) ids.push(id);
    const n = Math.min(o.domainTokens ?? 8, ids.length);
    if (n === 0) throw new ConfigError('TransferablePrompt: the keywords encode to no token');
    const task = wordPrompt(model, tok, o.taskTokens ?? 8, o.taskText ?? DEFAULT_INIT_TEXT, rng);
    const [t] = [...task.variables().values()];
    const d = model.config.dModel;
    const domain = tf.tidy(() => tf.gather(tokenEmbeddings(model), tf.tensor1d(ids.slice(0, n), 'int32')) as tf.Tensor2D);
    return new TransferablePrompt(t!, domain, tf.tidy(() => tf.variable(tf.ones([d]), true)), tf.tidy(() => tf.variable(tf.zeros([d]), true)));
  }

  /** Shapes and the frozen domain embeddings D: what a data-parallel replica rebuilds the prompt from. */
  spec(): TransferableSpec {
    return { taskTokens: this.task.shape[0]!, dim: this.task.shape[1]!, domain: Array.from(this.domain.dataSync()) };
  }

  /** A prompt of `spec`'s shapes and D (task vectors, γ and β at their initial values 0, 1, 0). */
  static fromSpec(spec: TransferableSpec): TransferablePrompt {
    const n = spec.domain.length / spec.dim;
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`TransferablePrompt.fromSpec: ${spec.domain.length} domain values are not rows of ${spec.dim}`);
    const task = tf.tidy(() => tf.variable(tf.zeros([spec.taskTokens, spec.dim]), true));
    const domain = tf.tensor2d(Float32Array.from(spec.domain), [n, spec.dim]);
    return new TransferablePrompt(task, domain, tf.tidy(() => tf.variable(tf.ones([spec.dim]), true)), tf.tidy(() => tf.variable(tf.zeros([spec.dim]), true)));
  }

  get tokens(): number {
    return this.task.shape[0]! + this.domain.shape[0];
  }

  prefix(batch: number): tf.Tensor3D {
    return tf.tidy(() => {
      const dom = tf.add(tf.mul(this.domain, this.gamma), this.beta);
      return tf.tile(tf.expandDims(tf.concat([this.task, dom], 0), 0), [batch, 1, 1]) as tf.Tensor3D;
    });
  }

  variables(): Map<string, tf.Variable> {
    return new Map([
      ['task_embeddings.weight', this.task],
      ['domain.gamma', this.gamma],
      ['domain.beta', this.beta],
    ]);
  }

  dispose(): void {
    this.task.dispose();
    this.domain.dispose();
    this.gamma.dispose();
    this.beta.dispose();
  }
}
