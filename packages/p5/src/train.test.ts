import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@xrec/transformer';
import { P5_EMBEDDING_TABLES, P5Recommender, trainP5, trainP5Tokenizer, type RecExample } from './index.js';

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
