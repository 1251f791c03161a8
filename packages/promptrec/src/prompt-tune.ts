/**
 * Few-shot prompt tuning for PromptRec (the issue's addition: the reference reads a `shots` argument and
 * ignores it): a soft prompt of `tokens` virtual tokens (Lester et al. 2021; @xrec/prompts' PromptTuning,
 * initialised from the embeddings of task words) goes before every verbalized prompt and is the only thing
 * trained — the language model stays frozen — on the 250 training rows, with binary cross-entropy on
 * p(like) = σ(z_pos − z_neg) with label smoothing 0.1 (the reference TPPT's smoothing; it applies
 * cross-entropy to probabilities instead of logits, which is not repeated here) and AdamW with betas
 * (0.95, 0.995) as TPPT. Early stopping keeps the epoch with the best validation AUC on the 50 validation rows
 * (the reference monitors GAUC, which is undefined on 50 random rows: almost no user has both labels there);
 * the reference's halve-and-reload schedule is replaced by the shared trainer's patience.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, type Progress, Rng, silentProgress } from '@xrec/core';
import { rocAuc } from '@xrec/metrics';
import { PromptTuning } from '@xrec/prompts';
import type { TextCodec } from '@xrec/tokenizer';
import { train, type TrainBatch, type TransformerLM } from '@xrec/transformer';
import { encodePrompts, LABEL_WORDS, labelId, labelMargins, scorePrompts } from './scorer.js';

export interface TuneRow {
  readonly prompt: string;
  readonly click: 0 | 1;
}

/** A soft prompt with trainable variables (PromptTuning, or TPPT's task + domain prompt). */
export interface TrainablePrompt {
  readonly tokens: number;
  prefix(batch: number): tf.Tensor3D;
  variables(): Map<string, tf.Variable>;
  dispose(): void;
}

export interface PromptTuneOptions {
  /** The prompt to train (default: a new PromptTuning of `tokens` virtual tokens initialised from `initText`). */
  readonly prompt?: TrainablePrompt;
  /** Virtual tokens (default 8). */
  readonly tokens?: number;
  /** Their initial values: the embeddings of these words' tokens, cycled (default: task words). */
  readonly initText?: string;
  readonly lr?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly patience?: number;
  readonly labelSmoothing?: number;
  readonly seed: number;
  readonly progress?: Progress;
}

export const DEFAULT_INIT_TEXT = ' user item movie like recommend preference rating feel';

interface RowBatch extends TrainBatch {
  readonly idx: readonly number[];
}

/** Mean binary cross-entropy of margins z [B] against smoothed labels: softplus(−z)·y' + softplus(z)·(1 − y'). */
export function smoothedBce(z: tf.Tensor1D, labels: readonly (0 | 1)[], smoothing: number): tf.Scalar {
  return tf.tidy(() => {
    const y = tf.tensor1d(labels.map((l) => l * (1 - smoothing) + smoothing / 2));
    return tf.mean(tf.add(tf.mul(tf.softplus(tf.neg(z)), y), tf.mul(tf.softplus(z), tf.sub(1, y)))) as tf.Scalar;
  });
}

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

/** Train a soft prompt on `trainRows` (model frozen), early-stopped on `validRows`' AUC. */
export async function tunePrompt(
  model: TransformerLM,
  tok: TextCodec,
  trainRows: readonly TuneRow[],
  validRows: readonly TuneRow[],
  o: PromptTuneOptions,
): Promise<{ prompt: TrainablePrompt; bestEpoch: number | undefined; validAuc: number | undefined; epochs: number }> {
  if (trainRows.length === 0) throw new ConfigError('tunePrompt: no training rows');
  const smoothing = o.labelSmoothing ?? 0.1;
  if (!(smoothing >= 0 && smoothing < 1)) throw new ConfigError(`tunePrompt: labelSmoothing must be in [0, 1), got ${smoothing}`);
  const labels = [labelId(tok, LABEL_WORDS.negative), labelId(tok, LABEL_WORDS.positive)] as const;
  const prompt = o.prompt ?? wordPrompt(model, tok, o.tokens ?? 8, o.initText ?? DEFAULT_INIT_TEXT, new Rng(o.seed).fork('prompt'));
  const enc = encodePrompts(model, tok, trainRows.map((r) => r.prompt));
  const bs = o.batchSize ?? 64;
  const hasValid = validRows.length > 0 && new Set(validRows.map((r) => r.click)).size === 2;
  const result = await train<RowBatch>({
    variables: prompt.variables(),
    lossFn: (b) => smoothedBce(labelMargins(model, b.idx.map((i) => enc.rows[i]!), b.idx.map((i) => enc.at[i]!), labels, prompt), b.idx.map((i) => trainRows[i]!.click), smoothing),
    trainBatches: (_epoch, rng) => {
      const order = rng.permutation(trainRows.length);
      const out: RowBatch[] = [];
      for (let s = 0; s < order.length; s += bs) out.push({ size: Math.min(bs, order.length - s), idx: order.slice(s, s + bs) });
      return out;
    },
    config: { epochs: o.epochs ?? 20, lr: o.lr ?? 3e-3, betas: [0.95, 0.995], weightDecay: 0, clipNorm: 1, schedule: 'constant', warmupSteps: 0, seed: o.seed, ...(hasValid ? { patience: o.patience ?? 4 } : {}) },
    ...(hasValid
      ? {
          valMetric: {
            name: 'valid AUC',
            mode: 'max' as const,
            compute: () => rocAuc(scorePrompts(model, tok, validRows.map((r) => r.prompt), { prompt }), validRows.map((r) => r.click)),
          },
        }
      : {}),
    progress: o.progress ?? silentProgress,
    label: 'prompt tuning',
  });
  return { prompt, bestEpoch: result.bestEpoch, validAuc: result.bestMetric, epochs: result.epochs.length };
}
