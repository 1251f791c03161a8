import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { join } from 'node:path';
import { loadTokenizer } from '@xrec/tokenizer';
import { initBackend, TransformerLM } from '@xrec/transformer';
import { rocAuc } from '@xrec/metrics';
import { promptTokens, scorePrompts, smoothedBce, topTfidfWords, TransferablePrompt, tunePrompt, type SoftPrompt, type TuneRow } from './index.js';

describe('few-shot prompt tuning', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('smoothed BCE equals its definition', () => {
    const z = tf.tensor1d([2, -1]);
    const l = smoothedBce(z, [1, 0], 0.1).dataSync()[0]!;
    const sp = (x: number) => Math.log1p(Math.exp(x));
    expect(l).toBeCloseTo(((sp(-2) * 0.95 + sp(2) * 0.05) + (sp(1) * 0.05 + sp(-1) * 0.95)) / 2, 5);
  });

  it("on xrec-base: the soft prompt alone moves p(like) toward the training labels; the model's weights stay bit-identical", { timeout: 120_000 }, async () => {
    const base = join(import.meta.dirname, '..', '..', '..', 'models', 'xrec-base');
    const model = await TransformerLM.load(base);
    const tok = await loadTokenizer(join(base, 'tokenizer.json'));
    const rng = new Rng(5);
    const sentence = () => `The ${rng.choice(['movie', 'song', 'book', 'hotel'])} was ${rng.choice(['fine', 'long', 'new', 'short'])} . <eos> In short, the user's attitude towards the item is`;
    const rows = (n: number): TuneRow[] => Array.from({ length: n }, () => ({ prompt: sentence(), click: 0 as const })); // no user liked the item (xrec-base leans to ' positive' zero-shot)
    const test = rows(16);
    const mean = (p: Float64Array) => p.reduce((a, b) => a + b, 0) / p.length;
    const before = new Map([...model.parameters()].map(([n, v]) => [n, Array.from(v.dataSync())]));
    const zeroShot = mean(scorePrompts(model, tok, test.map((r) => r.prompt)));
    const tuned = await tunePrompt(model, tok, rows(32), [], { seed: 1, tokens: 4, lr: 0.01, epochs: 4, batchSize: 16 });
    const after = mean(scorePrompts(model, tok, test.map((r) => r.prompt), { prompt: tuned.prompt }));
    expect(tuned.epochs).toBe(4); // no validation rows with both labels: no early stopping
    expect(after).toBeLessThan(zeroShot - 0.1);
    for (const [n, v] of model.parameters()) expect(Array.from(v.dataSync()), n).toEqual(before.get(n));
    await expect(tunePrompt(model, tok, [], [], { seed: 1 })).rejects.toThrow(/no training rows/);
    tuned.prompt.dispose();
    model.dispose();
  });
});

describe('few-shot prompt tuning learns what the prompt text says', () => {
  beforeAll(async () => {
    await initBackend();
  });

  // the check PROMPT_TUNE_LR was chosen on: a label read off the prompt's noun; at the former default 3e-3
  // the tuned prompt reached a test AUC of 0.588 here
  it('on xrec-base-mlm with the default learning rate: a held-out AUC above 0.9 from 128 rows', { timeout: 180_000 }, async () => {
    const dir = join(import.meta.dirname, '..', '..', '..', 'models', 'xrec-base-mlm');
    const model = await TransformerLM.load(dir);
    const tok = await loadTokenizer(join(dir, 'tokenizer.json'));
    const t = promptTokens(model, tok);
    const rng = new Rng(3);
    const rows = (n: number): TuneRow[] =>
      Array.from({ length: n }, () => {
        const noun = rng.choice(['movie', 'song', 'book', 'hotel']);
        const prompt = `The ${noun} was ${rng.choice(['fine', 'long', 'new', 'short'])} . ${t.sep} The user is that person, and the item is that ${noun}. In short, the user feels ${t.mask!} about the item.`;
        return { prompt, click: noun === 'movie' || noun === 'book' ? 1 : 0 };
      });
    const train = rows(128);
    const test = rows(128);
    const auc = (prompt?: SoftPrompt) => rocAuc(scorePrompts(model, tok, test.map((r) => r.prompt), prompt ? { prompt } : {}), test.map((r) => r.click));
    const zeroShot = auc();
    const tuned = await tunePrompt(model, tok, train, [], { seed: 1, epochs: 20 });
    const after = auc(tuned.prompt);
    expect(zeroShot).toBeLessThan(0.7);
    expect(after).toBeGreaterThan(0.9);
    tuned.prompt.dispose();
    model.dispose();
  });
});

describe('TPPT: transferable prompts', () => {
  it('TF-IDF keywords; task + γ ⊙ D + β with D frozen; trains through tunePrompt', { timeout: 120_000 }, async () => {
    expect(topTfidfWords(['The cafe is close', 'A bar is far', 'The cafe sends a coupon', 'A cafe and a bar'], 2)).toEqual(['bar', 'close']);
    await initBackend();
    const base = join(import.meta.dirname, '..', '..', '..', 'models', 'xrec-base');
    const model = await TransformerLM.load(base);
    const tok = await loadTokenizer(join(base, 'tokenizer.json'));
    const p = TransferablePrompt.create(model, tok, { keywords: ['cafe', 'bar', 'coupon'], taskTokens: 3, domainTokens: 2 }, new Rng(1));
    expect(p.tokens).toBe(5);
    expect([...p.variables().keys()]).toEqual(['task_embeddings.weight', 'domain.gamma', 'domain.beta']);
    const wte = model.parameters().get('transformer.wte.weight')!;
    const cafe = tok.encode(' cafe')[0]!;
    // with γ = 1, β = 0 the domain rows are the keywords' embeddings
    const rows = p.prefix(2).arraySync() as number[][][];
    expect(rows[1]![3]).toEqual(Array.from(wte.slice([cafe, 0], [1, model.config.dModel]).dataSync()));
    const rng = new Rng(3);
    const train = Array.from({ length: 16 }, () => ({ prompt: `The ${rng.choice(['cafe', 'bar'])} is near. <eos> In short, the user's attitude towards the item is`, click: 0 as const }));
    const before = Array.from(wte.dataSync());
    const tuned = await tunePrompt(model, tok, train, [], { seed: 1, prompt: p, epochs: 2, batchSize: 8, lr: 0.01 });
    expect(tuned.prompt).toBe(p);
    expect(Array.from(p.variables().get('domain.gamma')!.dataSync()).some((g) => g !== 1)).toBe(true);
    expect(Array.from(wte.dataSync())).toEqual(before);
    p.dispose();
    model.dispose();
  });
});
