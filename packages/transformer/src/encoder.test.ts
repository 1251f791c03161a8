import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, Rng } from '@xrec/core';
import { initBackend } from './backend.js';
import { resolveTransformerConfig } from './config.js';
import { fromHfConfig, toHfConfig } from './config-hf.js';
import { TransformerLM } from './model.js';

const TINY_BERT = resolveTransformerConfig({ arch: 'bert', vocabSize: 40, contextLength: 16, dModel: 16, nLayers: 2, nHeads: 2, dFF: 24, dropout: 0 });
const TINY_ROBERTA = resolveTransformerConfig({ arch: 'roberta', vocabSize: 40, contextLength: 18, dModel: 16, nLayers: 1, nHeads: 4, hiddenAct: 'gelu_new', tieEmbeddings: false });

describe('masked-LM encoders (bert, roberta)', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('configs: bidirectional, BERT/RoBERTa defaults, checked fields, Hugging Face round trip', () => {
    expect(TINY_BERT).toMatchObject({ attention: 'bidirectional', hiddenAct: 'gelu', typeVocabSize: 2, positionOffset: 0, normEps: 1e-12, tieEmbeddings: true });
    expect(TINY_ROBERTA).toMatchObject({ typeVocabSize: 1, positionOffset: 2, dFF: 64 });
    for (const c of [TINY_BERT, TINY_ROBERTA]) expect(fromHfConfig(toHfConfig(c))).toEqual(c);
    expect(toHfConfig(TINY_ROBERTA)).toMatchObject({ model_type: 'roberta', pad_token_id: 1, architectures: ['RobertaForMaskedLM'] });
    expect(() => resolveTransformerConfig({ arch: 'bert', hiddenAct: 'silu' })).toThrow(/hiddenAct 'silu' does not fit arch 'bert'/);
    expect(() => resolveTransformerConfig({ arch: 'bert', typeVocabSize: 0 })).toThrow(/typeVocabSize must be >= 1/);
    expect(() => resolveTransformerConfig({ arch: 'gpt2', positionOffset: 2 })).toThrow(/apply to bert and roberta only/);
    expect(() => fromHfConfig({ model_type: 'bert', position_embedding_type: 'relative_key' })).toThrow(ConfigError);
    expect(() => fromHfConfig({ model_type: 'bert', vocab_size: 5, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 8, max_position_embeddings: 8, hidden_act: 'relu' })).toThrow(
      /hidden_act 'relu' is not supported/,
    );
  });

  it('Hugging Face parameter names, an MLM head with its own bias, untied decoder when asked', () => {
    const m = TransformerLM.create(TINY_BERT, new Rng(1));
    const names = [...m.parameters().keys()];
    expect(names).toContain('bert.embeddings.token_type_embeddings.weight');
    expect(names).toContain('bert.encoder.layer.1.attention.self.query.weight');
    expect(names).toContain('cls.predictions.transform.LayerNorm.bias');
    expect(names).toContain('cls.predictions.bias');
    expect(names).not.toContain('cls.predictions.decoder.weight');
    const r = TransformerLM.create(TINY_ROBERTA, new Rng(1));
    expect([...r.parameters().keys()]).toEqual(expect.arrayContaining(['roberta.embeddings.LayerNorm.weight', 'lm_head.layer_norm.weight', 'lm_head.decoder.weight', 'lm_head.bias']));
    m.dispose();
    r.dispose();
  });

  it('every position sees the whole sequence: changing the last token changes the first output', () => {
    const m = TransformerLM.create(TINY_BERT, new Rng(2));
    const a = m.forward({ ids: tf.tensor2d([[5, 6, 7, 8]], [1, 4], 'int32') }).logits;
    const b = m.forward({ ids: tf.tensor2d([[5, 6, 7, 9]], [1, 4], 'int32') }).logits;
    const first = (t: tf.Tensor3D): number[] => Array.from(t.slice([0, 0, 0], [1, 1, 40]).dataSync());
    expect(first(a)).not.toEqual(first(b));
    m.dispose();
  });

  it('logitsFor equals the full logits at those ids (MLM transform and bias included); generate is refused', () => {
    const m = TransformerLM.create(TINY_ROBERTA, new Rng(3));
    const ids = tf.tensor2d([[3, 4, 5, 6, 7]], [1, 5], 'int32');
    const { logits, hidden } = m.forward({ ids });
    const full = logits.reshape([5, 40]).arraySync() as number[][];
    const picked = m.logitsFor(hidden.reshape([5, 16]) as tf.Tensor2D, [7, 0, 39]).arraySync();
    for (let s = 0; s < 5; s++) [7, 0, 39].forEach((id, j) => expect(picked[s]![j]).toBeCloseTo(full[s]![id]!, 5));
    expect(() => m.generate({ prompts: [[3, 4]], maxNewTokens: 2 })).toThrow(/attends bidirectionally/);
    m.dispose();
  });

  it('masked-LM training lowers the loss on masked positions (gradients reach every parameter)', () => {
    const m = TransformerLM.create(TINY_BERT, new Rng(4));
    // rows [1, 10, 11, 12, 2] and [1, 20, 21, 22, 2] with one token each replaced by the mask id 3
    const masked = [
      [1, 3, 11, 12, 2],
      [1, 20, 3, 22, 2],
    ];
    const labels = [
      [-100, 10, -100, -100, -100],
      [-100, -100, 21, -100, -100],
    ];
    const input = { ids: tf.tensor2d(masked, [2, 5], 'int32'), labels: tf.tensor2d(labels, [2, 5], 'int32') };
    const vars = [...m.trainableVariables().values()];
    const before = m.loss(input).dataSync()[0]!;
    const opt = tf.train.adam(0.01);
    let grads: tf.NamedTensorMap = {};
    for (let i = 0; i < 30; i++) {
      const r = opt.computeGradients(() => m.loss({ ...input, training: true }), vars);
      if (i === 0) grads = r.grads;
      opt.applyGradients(r.grads as Parameters<typeof opt.applyGradients>[0]);
    }
    for (const v of vars) expect(tf.abs(grads[v.name]!).max().dataSync()[0], v.name).toBeGreaterThan(0);
    const after = m.loss(input).dataSync()[0]!;
    expect(before).toBeGreaterThan(3);
    expect(after).toBeLessThan(0.5);
    m.dispose();
  });
});
