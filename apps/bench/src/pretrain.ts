/**
 * Causal-LM pre-training of base model (a): a GPT-2-style model trained from scratch on the training
 * split's explanation text only (no validation or test text), one sentence per sequence:
 * `<bos> w_1 .. w_n <eos>`, loss = mean next-token cross-entropy, early stopping on the validation split.
 */
import type { Progress, Rng } from '@xrec/core';
import { encodeText, specialIds, type TextCodec } from '@xrec/tokenizer';
import { bucketedBatches, packSequences, seqLoss, train, type SeqBatch, type TransformerLM } from '@xrec/transformer';

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

/** Batches of whole sentences (order kept; with `rng`: length-bucketed and shuffled, so padding costs little). */
function toBatches(seqs: readonly number[][], batchSize: number, pad: number, rng?: Rng): SeqBatch[] {
  const groups: number[][][] = [];
  if (rng) groups.push(...bucketedBatches(seqs, (r) => r.length, batchSize, rng));
  else for (let s = 0; s < seqs.length; s += batchSize) groups.push(seqs.slice(s, s + batchSize));
  return groups.map((rows) => packSequences(rows.map((target) => ({ target })), { pad }));
}

/** Pre-train `lm` in place on `trainTexts`; `valTexts` drive early stopping. */
export async function pretrainLM(
  lm: TransformerLM,
  tok: TextCodec,
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
  const res = await train<SeqBatch>({
    variables: lm.parameters(),
    lossFn: (b, training, ctx) => seqLoss(lm, b, training, ctx.seed),
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
