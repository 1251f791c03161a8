/**
 * Causal-LM pre-training of base model (a): a GPT-2-style model trained from scratch on the training
 * split's explanation text only (no validation or test text), one sentence per sequence:
 * `<bos> w_1 .. w_n <eos>`, loss = mean next-token cross-entropy, early stopping on the validation split.
 */
import * as tf from '@tensorflow/tfjs';
import type { Progress, Rng } from '@xrec/core';
import { IGNORE_INDEX, encodeText, specialIds, type PeplerTokenizer } from '@xrec/pepler';
import { train, type TransformerLM } from '@xrec/transformer';

export interface PretrainConfig {
  readonly epochs: number;
  readonly lr: number;
  readonly batchSize: number;
  readonly patience: number;
  readonly seed: number;
}

export interface PretrainReport {
  readonly epochs: { epoch: number; trainLoss: number; valLoss?: number }[];
  readonly seconds: number;
  readonly tokensPerSecond: number;
  readonly trainSequences: number;
  readonly trainTokens: number;
}

interface LmBatch {
  readonly size: number;
  readonly tokens: number;
  readonly ids: Int32Array;
  readonly labels: Int32Array;
  readonly T: number;
}

/**
 * Batches of sequences. With `rng` (training): shuffle, then sort by length inside windows of 50 batches and
 * shuffle the batch order — length bucketing, so padding costs little (sentences vary 5-45 tokens).
 */
function toBatches(seqs: readonly number[][], batchSize: number, pad: number, rng?: Rng): LmBatch[] {
  let order = rng ? rng.permutation(seqs.length) : [...seqs.keys()];
  if (rng) {
    const window = batchSize * 50;
    const sorted: number[] = [];
    for (let s = 0; s < order.length; s += window) sorted.push(...order.slice(s, s + window).sort((a, b) => seqs[a]!.length - seqs[b]!.length));
    order = sorted;
  }
  const out: LmBatch[] = [];
  for (let s = 0; s < order.length; s += batchSize) {
    const rows = order.slice(s, s + batchSize).map((k) => seqs[k]!);
    const T = Math.max(...rows.map((r) => r.length));
    const ids = new Int32Array(rows.length * T).fill(pad);
    const labels = new Int32Array(rows.length * T).fill(IGNORE_INDEX);
    let tokens = 0;
    rows.forEach((r, b) => {
      r.forEach((id, t) => (ids[b * T + t] = id));
      for (let t = 0; t + 1 < r.length; t++) {
        labels[b * T + t] = r[t + 1]!; // position t predicts token t+1
        tokens++;
      }
    });
    out.push({ size: rows.length, tokens, ids, labels, T });
  }
  return rng ? rng.shuffle(out) : out;
}

/** Pre-train `lm` in place on `trainTexts`; `valTexts` drive early stopping. */
export async function pretrainLM(
  lm: TransformerLM,
  tok: PeplerTokenizer,
  trainTexts: readonly string[],
  valTexts: readonly string[],
  c: PretrainConfig,
  progress?: Progress,
): Promise<PretrainReport> {
  const sp = specialIds(tok);
  const maxLen = lm.config.contextLength;
  const enc = (t: string): number[] => [sp.bos, ...encodeText(tok, t, sp).slice(0, maxLen - 2), sp.eos];
  const trainSeqs = trainTexts.map(enc);
  const valBatches = valTexts.length > 0 ? toBatches(valTexts.map(enc), c.batchSize, sp.pad) : undefined;
  const t0 = Date.now();
  const res = await train<LmBatch>({
    variables: lm.parameters(),
    lossFn: (b, training) =>
      lm.loss({
        ids: tf.tensor2d(b.ids, [b.size, b.T], 'int32'),
        labels: tf.tensor2d(b.labels, [b.size, b.T], 'int32'),
        ignoreIndex: IGNORE_INDEX,
        training,
      }),
    trainBatches: (_e, rng) => toBatches(trainSeqs, c.batchSize, sp.pad, rng),
    ...(valBatches ? { valBatches: () => valBatches } : {}),
    config: {
      epochs: c.epochs,
      lr: c.lr,
      weightDecay: 0.01,
      clipNorm: 1,
      schedule: 'cosine',
      warmupSteps: 20,
      seed: c.seed,
      ...(valBatches && c.patience > 0 ? { patience: c.patience } : {}),
    },
    ...(progress ? { progress } : {}),
    label: 'pre-train base LM',
  });
  return {
    epochs: res.epochs.map((e) => ({ epoch: e.epoch, trainLoss: e.trainLoss, ...(e.valLoss === undefined ? {} : { valLoss: e.valLoss }) })),
    seconds: (Date.now() - t0) / 1000,
    tokensPerSecond: res.tokensPerSecond,
    trainSequences: trainSeqs.length,
    trainTokens: trainSeqs.reduce((a, s) => a + s.length - 1, 0),
  };
}
