import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { alibiSlopes } from './attention-bias.js';
import { initBackend } from './backend.js';
import { resolveTransformerConfig } from './config.js';
import { fromHfConfig, toHfConfig } from './config-hf.js';
import { DECODER } from './decoder.js';
import { attentionMask, blockedMask } from './masks.js';
import { TransformerLM } from './model.js';

const ALIBI_BERT = resolveTransformerConfig({ arch: 'bert', vocabSize: 40, contextLength: 16, dModel: 16, nLayers: 2, nHeads: 4, dFF: 24, dropout: 0, positionBias: 'alibi' });

const maxAbs = (a: tf.Tensor, b: tf.Tensor): number => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

describe('ALiBi distance bias on encoder attention', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it("slopes are the paper's: 2^(-8h/H), and the interleaved set when H is not a power of two", () => {
    expect(alibiSlopes(4)).toEqual([1 / 4, 1 / 16, 1 / 64, 1 / 256]);
    expect(alibiSlopes(8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((h) => 2 ** -h));
    // 6 heads: the 4-head slopes, then every other slope of the 8-head set (2^-1, 2^-3)
    expect(alibiSlopes(6)).toEqual([2 ** -2, 2 ** -4, 2 ** -6, 2 ** -8, 2 ** -1, 2 ** -3]);
  });

  it('config: off by default, encoders only, kept through the Hugging Face config as xrec_position_bias', () => {
    expect(resolveTransformerConfig({ arch: 'bert' }).positionBias).toBe('none');
    expect(() => resolveTransformerConfig({ arch: 'gpt2', positionBias: 'alibi' })).toThrow(/applies to bidirectional attention only \(attention 'causal'\)/);
    expect(() => resolveTransformerConfig({ arch: 'bert', positionBias: 'rope' as never })).toThrow(/positionBias/);
    const hf = toHfConfig(ALIBI_BERT);
    expect(hf.xrec_position_bias).toBe('alibi');
    expect(fromHfConfig(hf)).toEqual(ALIBI_BERT);
    expect(toHfConfig(resolveTransformerConfig({ arch: 'bert' }))).not.toHaveProperty('xrec_position_bias');
  });

  it('masks: -m_h |i - j| on attended entries, padding still blocked, per-layer prefix keys unbiased; the blocked form has the same per-head blocks', () => {
    const keyValid = Uint8Array.from([1, 1, 1, 0, 1, 1, 1, 1]); // B = 2, S = 4, row 0's last key is padding
    const m = attentionMask(ALIBI_BERT, 2, 4, 0, keyValid)!.arraySync() as number[][][]; // [B·H, S, S]
    const slopes = alibiSlopes(4);
    expect(m[1]![0]![2]).toBeCloseTo(-2 * slopes[1]!, 6); // row 0, head 1, |0 - 2|
    expect(m[4 + 3]![3]![0]).toBeCloseTo(-3 * slopes[3]!, 6); // row 1, head 3
    expect(m[2]![1]![3]).toBeLessThan(-1e8); // padding key
    expect(m[0]![2]![2]).toBe(0);
    const pre = attentionMask(ALIBI_BERT, 1, 2, 3, Uint8Array.from([1, 1, 1, 1, 1]))!.arraySync() as number[][][]; // 3 prefix keys
    expect(pre[0]![1]!.slice(0, 3)).toEqual([0, 0, 0]);
    expect(pre[0]![1]![3]).toBeCloseTo(-slopes[0]!, 6);
    const blocked = blockedMask(ALIBI_BERT, 2, 4, keyValid).arraySync() as number[][][]; // [B, H·S, H·S]
    for (let b = 0; b < 2; b++) {
      for (let h = 0; h < 4; h++) {
        for (let s = 0; s < 4; s++) for (let j = 0; j < 4; j++) expect(blocked[b]![h * 4 + s]![h * 4 + j]).toBe(m[b * 4 + h]![s]![j]);
        expect(blocked[b]![h * 4]![((h + 1) % 4) * 4]).toBeLessThan(-1e8); // across heads
      }
    }
  });

  it('the fused path equals batched per-head attention with the bias, forward and gradients, with padding', () => {
    const m = TransformerLM.create(ALIBI_BERT, new Rng(5));
    const ids = tf.tensor2d([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]], [2, 5], 'int32');
    const attentionMask = tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], [2, 5], 'int32');
    const labels = tf.tensor2d([[-100, 2, -100, 4, -100], [6, -100, 8, -100, -100]], [2, 5], 'int32');
    const query = m.trainableVariables().get('bert.encoder.layer.0.attention.self.query.weight')!;
    const run = (mode: 'auto' | 'batched') => {
      m[DECODER]().setAttentionMode(mode);
      const out = m.forward({ ids, attentionMask }).logits;
      const { grads } = tf.variableGrads(() => m.loss({ ids, attentionMask, labels }), [...m.trainableVariables().values()]);
      return { out: out.slice([0, 0, 0], [1, 5, -1]).concat(out.slice([1, 0, 0], [1, 3, -1]), 1), g: grads[query.name]! };
    };
    const a = run('auto');
    const b = run('batched');
    expect(maxAbs(a.out, b.out)).toBeLessThan(1e-5);
    expect(maxAbs(a.g, b.g)).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(a.g)).dataSync()[0]).toBeGreaterThan(0);
    const plain = TransformerLM.create({ ...ALIBI_BERT, positionBias: 'none' }, new Rng(5)); // same weights, no bias
    expect(maxAbs(plain.forward({ ids }).logits, m.forward({ ids }).logits)).toBeGreaterThan(1e-5); // O(1e-4) at init's small weights
    m.dispose();
    plain.dispose();
  });
});
