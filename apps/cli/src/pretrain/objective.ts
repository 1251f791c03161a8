/**
 * The two pre-training objectives behind `xrec pretrain`: `clm` (a GPT-2-style decoder predicting every next
 * token — xrec-base) and `mlm` (a BERT-style encoder predicting 15% masked tokens — xrec-base-mlm). Each
 * says which model to build, how a batch is made from sampled windows of `seq + 1` ids, its loss, its
 * data-parallel replica and its held-out loss.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, Rng } from '@xrec/core';
import type { Tokenizer } from '@xrec/tokenizer';
import {
  lmDataParallel,
  lmLoss,
  maskWindows,
  mlmDataParallel,
  mlmLoss,
  resolveTransformerConfig,
  type DataParallel,
  type LmBatch,
  type MaskingOptions,
  type MlmBatch,
  type PositionBias,
  type TransformerConfig,
  type TransformerLM,
} from '@xrec/transformer';
import { windowLoss } from './window-loss.js';

export type ObjectiveName = 'clm' | 'mlm';
export type PretrainBatch = LmBatch | MlmBatch;

export interface PretrainObjective {
  readonly config: TransformerConfig;
  /** A training batch from `rows` sampled windows of `seq + 1` ids. */
  batch(windows: Int32Array, rows: number, rng: Rng): PretrainBatch;
  loss(model: TransformerLM, b: PretrainBatch, training: boolean): tf.Scalar;
  parallel(workers: number): DataParallel<PretrainBatch>;
  /** Mean loss over fixed held-out windows of `seq + 1` ids (mlm: the same masks every time). */
  heldOutLoss(model: TransformerLM, w: { ids: Int32Array; size: number }, batch: number): Promise<{ loss: number; tokens: number }>;
}

interface Shape {
  readonly objective: ObjectiveName;
  readonly seq: number;
  readonly dModel: number;
  readonly layers: number;
  readonly heads: number;
  readonly positionBias?: PositionBias;
  readonly seed: number;
}

/** The masking of a tokenizer: its mask id and every special id kept out of masking and random draws. */
export function maskingOf(tok: Tokenizer): MaskingOptions {
  if (tok.maskId === undefined) throw new ConfigError(`pretrain: the mlm objective needs a tokenizer with a <mask> token (special tokens: ${Object.keys(tok.specialTokens).join(', ')})`);
  return { maskId: tok.maskId, vocabSize: tok.vocabSize, special: Object.values(tok.specialTokens) };
}

/** Mean masked-LM loss over fixed windows, each masked by a seed of its own (identical on every call). */
export async function maskedWindowLoss(model: TransformerLM, w: { ids: Int32Array; size: number }, seq: number, masking: MaskingOptions, batch = 16): Promise<{ loss: number; tokens: number }> {
  let sum = 0;
  let n = 0;
  const T1 = seq + 1;
  for (let r = 0; r < w.size; r += batch) {
    const rows = Math.min(batch, w.size - r);
    const b = maskWindows(w.ids.subarray(r * T1, (r + rows) * T1), rows, T1, seq, masking, new Rng(0).fork(`held-out:${r}`));
    const l = tf.tidy(() => mlmLoss(model, b, false));
    sum += (await l.data())[0]! * b.tokens;
    n += b.tokens;
    l.dispose();
  }
  return { loss: n > 0 ? sum / n : Number.NaN, tokens: n };
}

export function pretrainObjective(c: Shape, tok: Tokenizer): PretrainObjective {
  const common = { vocabSize: tok.vocabSize, contextLength: c.seq, dModel: c.dModel, nLayers: c.layers, nHeads: c.heads, dropout: 0 };
  if (c.objective === 'clm') {
    const config = resolveTransformerConfig({ arch: 'gpt2', ...common });
    return {
      config,
      batch: (ids, rows) => ({ size: rows, tokens: rows * c.seq, seq: c.seq, ids }),
      loss: (m, b, training) => lmLoss(m, b as LmBatch, training),
      parallel: (workers) => lmDataParallel(config, workers) as DataParallel<PretrainBatch>,
      heldOutLoss: (m, w, batch) => windowLoss(m, w, c.seq, batch),
    };
  }
  // BERT-style encoder; tanh GELU (HF BERT's `gelu_new`) for the native fused kernel, one token type
  const config = resolveTransformerConfig({ arch: 'bert', ...common, hiddenAct: 'gelu_new', typeVocabSize: 1, positionBias: c.positionBias ?? 'none' });
  const masking = maskingOf(tok);
  return {
    config,
    batch: (ids, rows, rng) => maskWindows(ids, rows, c.seq + 1, c.seq, masking, rng),
    loss: (m, b, training) => mlmLoss(m, b as MlmBatch, training),
    parallel: (workers) => mlmDataParallel(config, workers) as DataParallel<PretrainBatch>,
    heldOutLoss: (m, w, batch) => maskedWindowLoss(m, w, c.seq, masking, batch),
  };
}
