import { describe, expect, it } from 'vitest';
import { Rng } from '@xrec/core';
import { trainBpe } from '@xrec/tokenizer';
import { initBackend, resolveTransformerConfig, TransformerLM } from '@xrec/transformer';
import { explanationContext, generateExplanations, trainExplainer, type ExplanationPair } from './index.js';

// a toy world: the explanation names the genre the user's profile says they like
const genres = ['mystery', 'romance', 'history', 'poetry'];
const pair = (k: number): ExplanationPair => {
  const g = genres[k % 4]!;
  return { prompt: `Book ${k % 7}. The reader enjoys ${g} books.`, explanation: `the reader loves ${g} and this book is ${g}` };
};

describe('cold-start explanations from a profile prompt', () => {
  it('fine-tunes a causal LM on (profile prompt, explanation) pairs; greedy generation names the profile’s genre', async () => {
    await initBackend();
    const train = Array.from({ length: 64 }, (_, k) => pair(k));
    const tok = trainBpe(train.flatMap((p) => [p.prompt, p.explanation, ' Explanation:']), { vocabSize: 300, minFrequency: 1, specialTokens: ['<bos>', '<eos>', '<pad>'] });
    const lm = TransformerLM.create(resolveTransformerConfig({ arch: 'gpt2', vocabSize: tok.vocabSize, contextLength: 64, dModel: 32, nHeads: 2, nLayers: 2 }), new Rng(1));
    const ctx = explanationContext(lm, tok, 'The reader enjoys poetry books.', { promptTokens: 3, targetTokens: 12 });
    expect(ctx[0]).toBe(tok.bosId);
    expect(ctx.slice(1, 4)).toEqual(tok.encode('The reader enjoys poetry books.').slice(0, 3)); // the prompt's start
    expect(tok.decode(ctx.slice(4))).toBe(' Explanation:');
    const res = await trainExplainer(lm, tok, train, train.slice(0, 8), { promptTokens: 20, targetTokens: 12, epochs: 40, lr: 3e-3, batchSize: 16 });
    expect(res.epochs.at(-1)!.valLoss!).toBeLessThan(0.5);
    const test = [5, 6, 7, 8].map((k) => pair(k + 100));
    const out = generateExplanations(lm, tok, test.map((p) => p.prompt), { promptTokens: 20, targetTokens: 12 });
    expect(out).toHaveLength(4);
    const right = out.filter((s, i) => s.includes(genres[(i + 105) % 4]!)).length;
    expect(right).toBeGreaterThanOrEqual(3);
    expect(() => explanationContext(lm, tok, 'x', { promptTokens: 50, targetTokens: 20 })).toThrow(/need \d+ positions, more than the model's context of 64/);
    await expect(trainExplainer(lm, tok, [], [])).rejects.toThrow(/no training pairs/);
    lm.dispose();
  });
});
