import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@xrec/core';
import { NegativeSampler, type Interaction } from '@xrec/data';
import { initBackend } from '@xrec/transformer';
import { P5_EMBEDDING_TABLES, P5Recommender, trainP5, trainP5Tokenizer, withFreshCandidates, type RecExample } from './index.js';

const items = ['ka', 'lo', 'mu', 'ne'];
const examples: RecExample[] = Array.from({ length: 8 }, (_, k) => ({ user: String(k), history: [], target: items[k % 4]!, candidates: [...items] }));

/** Each parameter's change over one AdamW step on the same batch, from the same initialisation. */
async function oneStepDeltas(embeddingLrScale: number | undefined, wholeWord: boolean): Promise<Map<string, Float32Array>> {
  const tok = trainP5Tokenizer(examples.map((e) => `Which item of the following to recommend for user_${e.user} ? ${items.join(' , ')} ${e.target}`), 300);
  const rec = P5Recommender.create(tok, items, { task: 'direct', domain: 'movie', wholeWord }, { dModel: 16, nHeads: 2, nLayers: 1, dFF: 32, dropout: 0, wholeWordEmbeddings: 64 }, 4);
  try {
    const before = new Map([...rec.model.parameters()].map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
    await trainP5(rec, { train: examples, batchSize: examples.length, ...(embeddingLrScale !== undefined ? { embeddingLrScale } : {}), config: { epochs: 1, lr: 1e-3, warmupSteps: 0, schedule: 'constant', weightDecay: 0 } });
    return new Map([...rec.model.parameters()].map(([n, v]) => [n, Float32Array.from(v.dataSync(), (x, i) => x - before.get(n)![i]!)]));
  } finally {
    rec.dispose();
  }
}

const maxAbs = (xs: Float32Array) => xs.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
/** Steps equal up to float32 rounding of `param + step` (params are O(1), so about 1e-7 absolute). */
const expectScaled = (got: Float32Array, want: Float32Array, ratio: number) => {
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]! * ratio)).toBeLessThan(1e-6 * ratio + 1e-3 * Math.abs(want[i]! * ratio));
};

describe('trainP5 embeddingLrScale', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('scales the embedding tables\' step (shared and whole-word) and leaves every other parameter\'s step unchanged', async () => {
    const base = await oneStepDeltas(undefined, true);
    const scaled = await oneStepDeltas(10, true);
    expect(P5_EMBEDDING_TABLES.every((n) => base.has(n))).toBe(true);
    for (const [name, d] of base) {
      const s = scaled.get(name)!;
      expect(maxAbs(d)).toBeGreaterThan(0); // every parameter moved on the first step
      expectScaled(s, d, P5_EMBEDDING_TABLES.includes(name) ? 10 : 1);
    }
  });

  it('a model without whole-word embeddings scales only its shared table; a bad scale is a ConfigError', async () => {
    const base = await oneStepDeltas(1, false);
    const scaled = await oneStepDeltas(3, false);
    expect(base.has('encoder.whole_word_embeddings.weight')).toBe(false);
    expectScaled(scaled.get('shared.weight')!, base.get('shared.weight')!, 3);
    expectScaled(scaled.get('encoder.block.0.layer.0.SelfAttention.q.weight')!, base.get('encoder.block.0.layer.0.SelfAttention.q.weight')!, 1);
    await expect(oneStepDeltas(0, false)).rejects.toThrow(/embeddingLrScale must be a positive number, got 0/);
    await expect(oneStepDeltas(Number.NaN, false)).rejects.toThrow(/embeddingLrScale must be a positive number/);
  });
});

describe('trainP5 redrawCandidates', () => {
  const catalogue = ['ka', 'lo', 'mu', 'ne', 'po', 'ru', 'sa', 'ti'];
  const direct: RecExample[] = Array.from({ length: 6 }, (_, k) => ({ user: String(k), history: [], target: catalogue[k]!, candidates: [catalogue[k]!, catalogue[(k + 1) % 8]!] }));
  const seen: Interaction[] = direct.map((e) => ({ user: e.user, item: e.target }));

  beforeAll(async () => {
    await initBackend();
  });

  it('withFreshCandidates: the target once, then `negatives` items the user never interacted with, in a seeded order', () => {
    const sampler = new NegativeSampler(catalogue, [...seen, { user: '0', item: 'lo' }]);
    const a = withFreshCandidates(direct[0]!, 5, sampler, new Rng(1));
    expect(a.candidates).toHaveLength(6);
    expect(a.candidates!.filter((c) => c === 'ka')).toHaveLength(1);
    expect(a.candidates).not.toContain('lo');
    expect(new Set(a.candidates).size).toBe(6);
    expect(withFreshCandidates(direct[0]!, 5, sampler, new Rng(1))).toEqual(a);
    expect(withFreshCandidates(direct[0]!, 6, sampler, new Rng(1)).candidates!.slice().sort()).toEqual(['ka', 'mu', 'ne', 'po', 'ru', 'sa', 'ti']);
  });

  it('draws each drawn example\'s negatives anew every epoch; bad settings are ConfigErrors', async () => {
    const tok = trainP5Tokenizer(catalogue.map((i) => `Which item of the following to recommend for user_3 ? ${catalogue.join(' , ')} ${i}`), 300);
    const rec = P5Recommender.create(tok, catalogue, { task: 'direct', domain: 'movie' }, { dModel: 16, nHeads: 2, nLayers: 1, dFF: 32, dropout: 0 }, 4);
    const inner = new NegativeSampler(catalogue, seen);
    const calls: string[][] = [];
    const sampler = { sample: (user: string, n: number, rng: Rng) => { const s = inner.sample(user, n, rng); calls.push([user, ...s]); return s; } };
    try {
      await trainP5(rec, { train: direct, redrawCandidates: { negatives: 3, sampler }, examplesPerEpoch: 4, batchSize: 2, config: { epochs: 2, lr: 1e-3, warmupSteps: 0, seed: 5 } });
      expect(calls).toHaveLength(8); // 4 examples per epoch, 2 epochs
      expect(calls.every((c) => c.length === 4 && !c.slice(1).includes(direct[Number(c[0])]!.target))).toBe(true);
      expect(new Set(calls.map((c) => c.join())).size).toBeGreaterThan(4); // fresh lists, not one fixed list per example
      await expect(trainP5(rec, { train: direct, redrawCandidates: { negatives: 0, sampler }, config: { epochs: 1 } })).rejects.toThrow(/redrawCandidates.negatives must be a positive integer, got 0/);
      await expect(trainP5(rec, { train: [{ user: '1', history: ['ka'], target: 'lo' }], redrawCandidates: { negatives: 2, sampler }, config: { epochs: 1 } })).rejects.toThrow(/for direct examples/);
    } finally {
      rec.dispose();
    }
  });
});
