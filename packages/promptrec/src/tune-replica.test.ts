import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordingProgress, Rng } from '@xrec/core';
import { loadTokenizer, type Tokenizer } from '@xrec/tokenizer';
import { againstSingleThread, initBackend, TransformerLM } from '@xrec/transformer';
import { promptSpecOf, TransferablePrompt, tunePrompt, wordPrompt, type TrainablePrompt, type TuneRow } from './index.js';

// Prompt tuning over two data-parallel replicas (the worker runs the compiled package: `pnpm build` first, as CI does).

const base = join(import.meta.dirname, '..', '..', '..', 'models', 'xrec-base');
let model: TransformerLM;
let tok: Tokenizer;
const rng = new Rng(3);
const rows: TuneRow[] = Array.from({ length: 24 }, (_, k) => ({
  prompt: `The ${rng.choice(['cafe', 'bar', 'movie'])} is ${rng.choice(['near', 'far away', 'new'])}. <eos> In short, the user's attitude towards the item is`,
  click: (k % 3 === 0 ? 1 : 0) as 0 | 1,
}));

beforeAll(async () => {
  await initBackend();
  model = await TransformerLM.load(base);
  tok = await loadTokenizer(join(base, 'tokenizer.json'));
});

async function tuneBoth(make: () => TrainablePrompt): Promise<number> {
  const run = async (workers: number) => {
    const prompt = make();
    const progress = recordingProgress();
    await tunePrompt(model, tok, rows, [], { seed: 1, prompt, epochs: 2, batchSize: 12, lr: 0.01, progress, ...(workers > 0 ? { parallel: { workers, verifyEvery: 1 } } : {}) });
    const logs = progress.events.flatMap((e) => (e.kind === 'log' ? [e.label] : []));
    expect(logs.some((l) => l.includes('data-parallel over 2 replicas'))).toBe(workers > 0);
    const values = [...prompt.variables().values()].map((v) => v.dataSync().slice() as Float32Array);
    prompt.dispose();
    return values;
  };
  const before = tf.memory().numTensors;
  const c = await againstSingleThread(run, (w) => w);
  expect(c.leakedTensors).toBe(0);
  expect(tf.memory().numTensors).toBe(before); // the one-thread run leaves nothing either
  expect(c.single.some((w) => w.some((x) => x !== 0))).toBe(true);
  return c.maxAbsDiff;
}

describe('tunePrompt over two data-parallel replicas (the frozen model from a snapshot; replicas verified every update)', () => {
  it('a PromptTuning follows the single-thread run', { timeout: 120_000 }, async () => {
    expect(await tuneBoth(() => wordPrompt(model, tok, 4, ' user item like', new Rng(2)))).toBeLessThan(1e-5);
  });

  it("TPPT's transferable prompt (frozen domain embeddings rebuilt in the worker) follows the single-thread run", { timeout: 120_000 }, async () => {
    const make = () => TransferablePrompt.create(model, tok, { keywords: ['cafe', 'bar', 'coupon'], taskTokens: 3, domainTokens: 2 }, new Rng(1));
    const p = make();
    const spec = promptSpecOf(p);
    expect(spec.kind).toBe('transferable');
    // the description rebuilds the same prefix (task vectors aside, which the tuner publishes)
    const rebuilt = TransferablePrompt.fromSpec(p.spec());
    const tail = (x: TrainablePrompt) => tf.tidy(() => Array.from(tf.slice(x.prefix(1), [0, 3, 0], [1, 2, -1]).dataSync()));
    expect(tail(rebuilt)).toEqual(tail(p));
    rebuilt.dispose();
    p.dispose();
    expect(await tuneBoth(make)).toBeLessThan(1e-5);
  });

  it('rejects a prompt it cannot rebuild and a bad worker count', async () => {
    const odd: TrainablePrompt = { tokens: 1, prefix: () => tf.zeros([1, 1, 1]), variables: () => new Map(), dispose: () => {} };
    expect(() => promptSpecOf(odd)).toThrow(/PromptTuning or a TransferablePrompt/);
    await expect(tunePrompt(model, tok, rows, [], { seed: 1, parallel: { workers: -2 } })).rejects.toThrow(/parallel.workers/);
  });
});
