import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, recordingProgress } from '@xrec/core';
import { EntityPromptTable } from '@xrec/prompts';
import { TransformerLM, againstSingleThread, initBackend, resolveTransformerConfig } from '@xrec/transformer';
import { MlpHead, Pepler, batchesOf, peplerBatchLoss, splitPeplerBatch, type PeplerConfig, type PeplerExample } from '../src/index.js';
import { WordTokenizer, syntheticRecords } from './helpers.js';

// PEPLER over data-parallel replicas (the worker runs the compiled package: `pnpm build` first, as CI does).

// explanations of unequal length, so that a shard's share of tokens differs from its share of rows
const base = syntheticRecords();
const data = { ...base, records: base.records.map((r, k) => ({ ...r, sentence: r.sentence + ' very'.repeat(k % 4) })) };
const tok = new WordTokenizer(data.records.map((r) => r.sentence));
const lmConfig = resolveTransformerConfig({ arch: 'gpt2', vocabSize: tok.vocabSize, contextLength: 32, dModel: 32, nLayers: 1, nHeads: 2, dFF: 64, dropout: 0 });
const tinyLM = () => TransformerLM.create(lmConfig, new Rng(1));

beforeAll(async () => {
  await initBackend();
});

describe('splitPeplerBatch', () => {
  const examples: PeplerExample[] = Array.from({ length: 7 }, (_, k) => ({
    user: k % 3,
    item: k % 4,
    rating: 1 + (k % 5),
    expl: Array.from({ length: 1 + ((k * 5) % 6) }, (_, j) => 4 + ((k + j) % 9)),
    prompt: [],
  }));
  const [batch] = batchesOf(examples, 7, { bos: 0, eos: 1, pad: 2, prefix: true });
  let lm: TransformerLM;
  let prompts: EntityPromptTable;
  let head: MlpHead;
  beforeAll(() => {
    lm = tinyLM();
    prompts = EntityPromptTable.create([{ name: 'user', count: 3 }, { name: 'item', count: 4 }], 32, { kind: 'uniform', range: 0.1 }, new Rng(2));
    head = new MlpHead(32, 16, 1, new Rng(3));
  });
  afterAll(() => {
    lm.dispose();
    prompts.dispose();
    head.dispose();
  });

  it('shards cover the rows in order, balanced by tokens, keeping the padded length', () => {
    const shards = splitPeplerBatch(batch!, 3);
    expect(shards).toHaveLength(3);
    expect(shards.reduce((a, s) => a + s.size, 0)).toBe(7);
    expect(shards.reduce((a, s) => a + s.tokens, 0)).toBe(batch!.tokens);
    expect(Array.from(shards.flatMap((s) => Array.from(s.users)))).toEqual(Array.from(batch!.users));
    expect(shards.every((s) => s.idsLength === batch!.idsLength && s.ids.length === s.size * s.idsLength)).toBe(true);
    expect(splitPeplerBatch(batch!, 20)).toHaveLength(7); // never an empty shard
  });

  it('the token-weighted sum of the shard losses is the batch loss (text mean over tokens, rating mean over rows)', () => {
    const parts = { lm, prompts, head, config: { textReg: 1, ratingReg: 0.1 } };
    for (const training of [true, false]) {
      const whole = peplerBatchLoss(parts, batch!, training);
      const shards = splitPeplerBatch(batch!, 3);
      const sum = shards.reduce((a, s) => {
        const l = peplerBatchLoss(parts, s, training);
        const v = l.dataSync()[0]! * (s.tokens / batch!.tokens);
        l.dispose();
        return a + v;
      }, 0);
      expect(sum).toBeCloseTo(whole.dataSync()[0]!, 5);
      // without the rating weights the sum would differ (the shards' token shares are not their row shares)
      const naive = shards.reduce((a, s) => {
        const l = peplerBatchLoss(parts, { ...s, ratingWeight: 1 }, training);
        const v = l.dataSync()[0]! * (s.tokens / batch!.tokens);
        l.dispose();
        return a + v;
      }, 0);
      expect(Math.abs(naive - whole.dataSync()[0]!)).toBeGreaterThan(1e-4);
      whole.dispose();
    }
  });
});

async function trainBoth(variant: PeplerConfig['variant'], extra: Partial<PeplerConfig> = {}) {
  const run = async (workers: number) => {
    const progress = recordingProgress();
    const { model, report } = await Pepler.train({
      progress,
      lm: tinyLM(),
      tokenizer: tok,
      data,
      config: { variant, words: 8, promptTokens: 8, batchSize: 16, epochs: 2, stage1Epochs: 1, patience: 0, lr: 1e-2, lr2: 5e-3, seed: 3, ...extra },
      ...(workers > 0 ? { parallel: { workers, verifyEvery: 1 } } : {}),
    });
    const state = [...(model.lm as TransformerLM).parameters().values()].map((v) => v.dataSync().slice() as Float32Array);
    const pairs = data.train.map((r) => ({ user: data.records[r]!.user, item: data.records[r]!.item }));
    const ratings = model.hasRatingHead ? model.predictRatingBatch(pairs) : [];
    model.dispose();
    const logs = progress.events.flatMap((e) => (e.kind === 'log' ? [e.label] : []));
    // every stage really ran on two replicas
    expect(logs.filter((l) => l.includes('data-parallel over 2 replicas'))).toHaveLength(workers > 0 ? report.stages.length : 0);
    return { state, ratings, report };
  };
  const c = await againstSingleThread(run, (r) => r.state);
  expect(c.leakedTensors).toBe(0);
  return { single: c.single, dp: c.parallel, worst: c.maxAbsDiff };
}

describe('Pepler over two data-parallel replicas (replicas verified every update)', () => {
  it('continuous (prompt stage, then the LM): follows the single-thread run', { timeout: 120_000 }, async () => {
    const { single, dp, worst } = await trainBoth('continuous');
    expect(worst).toBeLessThan(1e-4);
    dp.report.epochs.forEach((e, k) => expect(e.trainLoss).toBeCloseTo(single.report.epochs[k]!.trainLoss, 4));
    expect(dp.report.stages.map((s) => s.stage)).toEqual(['prompt', 'full']);
  });

  it('MLP (joint, with the rating term): follows the single-thread run, ratings included', { timeout: 120_000 }, async () => {
    const { single, dp, worst: weights } = await trainBoth('mlp');
    expect(weights).toBeLessThan(1e-4);
    const worst = dp.ratings.reduce((a, r, k) => Math.max(a, Math.abs(r - single.ratings[k]!)), 0);
    expect(worst).toBeLessThan(2e-5);
  });

  it('LoRA stage 2 (adapters rebuilt in the worker with the trainer\'s seed) and discrete: follow the single-thread run', { timeout: 120_000 }, async () => {
    const lora = await trainBoth('continuous', { stage2: 'lora', loraR: 4 });
    expect(lora.worst).toBeLessThan(1e-4);
    const discrete = await trainBoth('discrete');
    expect(discrete.worst).toBeLessThan(1e-4);
  });

  it('rejects a bad worker count', async () => {
    await expect(Pepler.train({ lm: tinyLM(), tokenizer: tok, data, config: { variant: 'mf' }, parallel: { workers: -1 } })).rejects.toThrow(/parallel.workers/);
  });
});
