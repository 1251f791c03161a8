import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { initBackend } from './backend.js';
import { resolveTransformerConfig } from './config.js';
import { TransformerLM } from './model.js';
import { meanPooledStates, scoreSequences, tokenLogits } from './scoring.js';

await initBackend();

/** log p(row[t+1] | row[..t]) from the full forward logits of one unpadded row. */
function bruteForce(model: TransformerLM, prompt: number[], cont: number[]): number {
  const row = [...prompt, ...cont];
  return tf.tidy(() => {
    const logits = model.forward({ ids: tf.tensor2d([row], [1, row.length], 'int32') }).logits; // [1, S, V]
    const lp = tf.logSoftmax(tf.squeeze(logits, [0])).arraySync() as number[][];
    let s = 0;
    for (let t = prompt.length - 1; t < row.length - 1; t++) s += lp[t]![row[t + 1]!]!;
    return s;
  });
}

describe('scoring without [B, S, V] logits', () => {
  for (const [arch, tie] of [['gpt2', true], ['llama', false]] as const) {
    it(`${arch} (${tie ? 'tied' : 'untied'} output): sequence log-likelihoods and chosen-token logits equal the full forward pass`, () => {
      const model = TransformerLM.create(resolveTransformerConfig({ arch, vocabSize: 50, contextLength: 16, dModel: 16, nHeads: 2, nLayers: 2, tieEmbeddings: tie }), new Rng(9));
      const prompts = [[1, 4, 9], [2], [3, 3, 7, 8, 1]];
      const conts = [[5, 6], [7, 8, 9, 10], [11]];
      const before = tf.memory().numTensors;
      const { logLikelihood, tokens } = scoreSequences(model, prompts, conts, { batchSize: 2 });
      expect(tf.memory().numTensors).toBe(before);
      expect(tokens).toEqual([2, 4, 1]);
      prompts.forEach((p, i) => expect(logLikelihood[i]).toBeCloseTo(bruteForce(model, p, conts[i]!), 4));
      const rows = prompts.map((p, i) => [...p, ...conts[i]!]);
      const positions = [2, 0, 4];
      const ids = [7, 3, 49];
      const got = tokenLogits(model, rows, positions, ids);
      const want = rows.map((r, b) => tf.tidy(() => (model.forward({ ids: tf.tensor2d([r], [1, r.length], 'int32') }).logits.arraySync() as number[][][])[0]![positions[b]!]!));
      (got.arraySync() as number[][]).forEach((row, b) => row.forEach((v, j) => expect(v).toBeCloseTo(want[b]![ids[j]!]!, 4)));
      got.dispose();
      expect(() => tokenLogits(model, rows, [9, 0, 0], ids)).toThrow(/position 9 is outside row 0/);
      expect(() => scoreSequences(model, [[]], [[1]])).toThrow(/prompt 0 is empty/);
      model.dispose();
    });
  }
});

describe('meanPooledStates', () => {
  it('is the unit-length mean of a row’s own hidden states, whatever the padding and batch', async () => {
    await initBackend();
    const lm = TransformerLM.create(resolveTransformerConfig({ arch: 'gpt2', vocabSize: 30, contextLength: 16, dModel: 8, nHeads: 2, nLayers: 1 }), new Rng(4));
    const rows = [[1, 2, 3], [4, 5, 6, 7, 8, 9], [10]];
    const batched = meanPooledStates(lm, rows);
    for (const [i, r] of rows.entries()) {
      const alone = meanPooledStates(lm, [r]);
      const h = tf.tidy(() => tf.mean(lm.hiddenStates({ ids: tf.tensor2d([r], [1, r.length], 'int32') }), 1).dataSync());
      const norm = Math.hypot(...h);
      for (let j = 0; j < 8; j++) {
        expect(batched[i * 8 + j]).toBeCloseTo(alone[j]!, 5);
        expect(alone[j]).toBeCloseTo(h[j]! / norm, 5);
      }
    }
    expect(() => meanPooledStates(lm, [[1], []])).toThrow(/row 1 is empty/);
    lm.dispose();
  });
});
