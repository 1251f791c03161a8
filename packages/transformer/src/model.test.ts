import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ConfigError, Rng, ShapeError } from '@xrec/core';
import { initBackend } from './backend.js';
import { resolveTransformerConfig, type TransformerConfig } from './config.js';
import { fromHfConfig, toHfConfig } from './config-hf.js';
import { DECODER } from './decoder.js';
import { TransformerLM } from './model.js';
import { parseLlama2c } from './llama2c.js';
import { setFusedKernels, softmaxCrossEntropy } from './ops.js';

const TINY_GPT2 = resolveTransformerConfig({ arch: 'gpt2', vocabSize: 50, contextLength: 24, dModel: 16, nLayers: 2, nHeads: 2, dropout: 0.1 });
const TINY_LLAMA = resolveTransformerConfig({ arch: 'llama', vocabSize: 60, contextLength: 32, dModel: 24, nLayers: 2, nHeads: 4, nKvHeads: 2, dFF: 40 });
const TINY_LLAMA_TIED = { ...TINY_LLAMA, tieEmbeddings: true, nKvHeads: 4 };

function ids(rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(rows, [rows.length, rows[0]!.length], 'int32');
}

describe('config', () => {
  it('fills arch defaults and derives dFF / nKvHeads', () => {
    const g = resolveTransformerConfig({ arch: 'gpt2', dModel: 128, nHeads: 4 });
    expect(g).toMatchObject({ dFF: 512, nKvHeads: 4, vocabSize: 50257, tieEmbeddings: true });
    const l = resolveTransformerConfig({ arch: 'llama', dModel: 64, nHeads: 8, nKvHeads: 4 });
    expect(l).toMatchObject({ dFF: 192, nKvHeads: 4, tieEmbeddings: false });
  });

  it('rejects bad fields naming them', () => {
    expect(() => resolveTransformerConfig({ arch: 'gpt2', dModel: 30, nHeads: 4 })).toThrow(/nHeads \(4\) must divide dModel \(30\)/);
    expect(() => resolveTransformerConfig({ arch: 'gpt2', nKvHeads: 3 })).toThrow(ConfigError);
    expect(() => resolveTransformerConfig({ arch: 'llama', nHeads: 8, nKvHeads: 3 })).toThrow(/nKvHeads \(3\) must divide nHeads \(8\)/);
    expect(() => resolveTransformerConfig({ arch: 'gpt2', dropout: 1 })).toThrow(/dropout/);
    expect(() => resolveTransformerConfig({ arch: 'gpt2', vocabSize: 0 })).toThrow(/TransformerConfig\.vocabSize: must be an integer >= 1, got 0/);
    expect(() => resolveTransformerConfig({ arch: 'bart' as 'gpt2' })).toThrow(/arch must be one of 'gpt2', 'llama', 'bert', 'roberta'/);
    expect(() => resolveTransformerConfig({ arch: 'gpt2', nLayer: 2 } as unknown as TransformerConfig)).toThrow(/unknown field 'nLayer'/);
  });

  it('round-trips through Hugging Face config.json fields', () => {
    for (const c of [TINY_GPT2, TINY_LLAMA, resolveTransformerConfig(TINY_LLAMA_TIED)]) expect(fromHfConfig(toHfConfig(c))).toEqual(c);
    expect(toHfConfig(TINY_LLAMA)).toMatchObject({ hidden_size: 24, num_key_value_heads: 2, intermediate_size: 40 });
    expect(() => fromHfConfig({ model_type: 't5' })).toThrow(/model_type "t5" is not supported/);
    expect(() => fromHfConfig({ model_type: 'gpt2', vocab_size: 5 })).toThrow(/missing field 'n_embd'/);
  });
});

describe('TransformerLM', () => {
  beforeAll(async () => {
    await initBackend({ force: 'wasm' });
  });

  it('has Hugging Face parameter names, linear layers and trainable control', () => {
    const g = TransformerLM.create(TINY_GPT2, new Rng(1));
    const names = [...g.parameters().keys()];
    expect(names).toContain('transformer.h.1.attn.c_attn.weight');
    expect(names).toContain('transformer.wpe.weight');
    expect(names).not.toContain('lm_head.weight');
    expect(g.linearLayers().map((l) => l.name)).toContain('transformer.h.0.mlp.c_proj');
    expect(g.linearLayers().every((l) => l.hfLayout === 'conv1d')).toBe(true);
    const l = TransformerLM.create(TINY_LLAMA, new Rng(1));
    expect([...l.parameters().keys()]).toContain('model.layers.1.self_attn.k_proj.weight');
    expect(l.parameters().get('model.layers.1.self_attn.k_proj.weight')!.shape).toEqual([24, 12]);
    expect(l.parameters().get('lm_head.weight')!.shape).toEqual([24, 60]);
    expect(l.linearLayers().every((x) => x.hfLayout === 'linear' && x.bias === undefined)).toBe(true);
    l.setTrainable((n) => n.includes('q_proj'));
    expect([...l.trainableVariables().keys()]).toEqual(['model.layers.0.self_attn.q_proj.weight', 'model.layers.1.self_attn.q_proj.weight']);
    expect(g.numParameters()).toBe([...g.parameters().values()].reduce((s, v) => s + v.size, 0));
    g.dispose();
    l.dispose();
  });

  it('same seed gives the same weights', () => {
    const a = TransformerLM.create(TINY_LLAMA, new Rng(7));
    const b = TransformerLM.create(TINY_LLAMA, new Rng(7));
    const c = TransformerLM.create(TINY_LLAMA, new Rng(8));
    const w = (m: TransformerLM) => Array.from(m.parameters().get('model.layers.0.mlp.up_proj.weight')!.dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  for (const cfg of [TINY_GPT2, TINY_LLAMA, TINY_LLAMA_TIED]) {
    const label = `${cfg.arch}${cfg.tieEmbeddings ? ' tied' : ' untied'}`;

    it(`${label}: causal — a later token does not change earlier logits; bidirectional does`, () => {
      const m = TransformerLM.create(cfg, new Rng(2));
      const a = m.forward({ ids: ids([[1, 2, 3, 4, 5]]) }).logits;
      const b = m.forward({ ids: ids([[1, 2, 3, 4, 9]]) }).logits;
      const first = (t: tf.Tensor) => Array.from(t.slice([0, 0, 0], [1, 4, -1]).dataSync());
      expect(first(b)).toEqual(first(a));
      const bi = TransformerLM.fromWeights({ ...m.config, attention: 'bidirectional' }, weightsOf(m));
      const c = bi.forward({ ids: ids([[1, 2, 3, 4, 5]]) }).logits;
      const d = bi.forward({ ids: ids([[1, 2, 3, 4, 9]]) }).logits;
      expect(first(c)).not.toEqual(first(d));
      m.dispose();
      bi.dispose();
    });

    it(`${label}: prefix embeddings behave like the tokens they embed; hidden is [B, S, d]`, () => {
      const m = TransformerLM.create(cfg, new Rng(3));
      const full = m.forward({ ids: ids([[5, 6, 7, 8, 9], [1, 2, 3, 4, 5]]) });
      const prefix = m.embed(ids([[5, 6], [1, 2]]));
      const split = m.forward({ prefix, ids: ids([[7, 8, 9], [3, 4, 5]]) });
      expect(split.hidden.shape).toEqual([2, 5, cfg.dModel]);
      expect(maxAbs(split.logits, full.logits)).toBeLessThan(1e-5);
      const only = m.forward({ prefix });
      expect(only.logits.shape).toEqual([2, 2, cfg.vocabSize]);
      m.dispose();
    });

    it(`${label}: loss = mean CE over non-ignored labels`, () => {
      const m = TransformerLM.create(cfg, new Rng(4));
      const x = ids([[1, 2, 3, 4], [4, 3, 2, 1]]);
      const labels = tf.tensor2d([[2, 3, 4, -100], [-100, 2, 1, 0]], [2, 4], 'int32');
      const loss = m.loss({ ids: x, labels }).dataSync()[0]!;
      const logits = m.forward({ ids: x }).logits.reshape([8, cfg.vocabSize]) as tf.Tensor2D;
      const want = softmaxCrossEntropy(logits, [2, 3, 4, -100, -100, 2, 1, 0]).dataSync()[0]!;
      expect(loss).toBeCloseTo(want, 5);
      expect(loss).toBeGreaterThan(Math.log(cfg.vocabSize) - 1);
      m.dispose();
    });

    it(`${label}: KV-cached greedy decoding equals uncached; batched with padding equals one by one`, () => {
      const m = TransformerLM.create(cfg, new Rng(5));
      const prompts = [[3, 9, 4, 1], [7], [2, 2, 8]];
      const before = tf.memory().numTensors;
      const cached = m.generate({ prompts, maxNewTokens: 10, greedy: true });
      const uncached = m.generate({ prompts, maxNewTokens: 10, greedy: true, useCache: false });
      expect(tf.memory().numTensors).toBe(before);
      expect(cached).toEqual(uncached);
      expect(cached.every((r) => r.length === 10)).toBe(true);
      prompts.forEach((p, i) => expect(m.generate({ prompts: [p], maxNewTokens: 10 })[0]).toEqual(cached[i]));
      m.dispose();
    });
  }

  it('blocked attention (one 2-D matmul per batch row) equals batched per-head attention, with and without padding', () => {
    const m = TransformerLM.create(TINY_LLAMA_TIED, new Rng(12));
    const x = ids([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]);
    const attentionMask = tf.tensor2d([[1, 1, 1, 1, 1], [0, 0, 1, 1, 1]], [2, 5], 'int32');
    const labels = tf.tensor2d([[2, 3, 4, 5, 6], [-100, -100, 9, 10, 11]], [2, 5], 'int32');
    const run = (mode: 'auto' | 'batched') => {
      m[DECODER]().setAttentionMode(mode);
      const out = m.forward({ ids: x, attentionMask }).logits;
      const { grads } = tf.variableGrads(() => m.loss({ ids: x, attentionMask, labels }), [...m.trainableVariables().values()]);
      return { out, g: grads['model.layers.0.self_attn.q_proj.weight'] ?? Object.values(grads)[2]! };
    };
    const a = run('auto');
    const b = run('batched');
    // Padding query rows attend to nothing and differ (they are never used); compare the real positions.
    const valid = (t: tf.Tensor) => tf.concat([t.slice([0, 0, 0], [1, 5, -1]), t.slice([1, 2, 0], [1, 3, -1])], 1);
    expect(maxAbs(valid(a.out), valid(b.out))).toBeLessThan(1e-5);
    expect(maxAbs(a.g, b.g)).toBeLessThan(1e-5);
    m.dispose();
  });

  for (const cfg of [TINY_GPT2, TINY_LLAMA]) {
    it(`${cfg.arch}: generation from prefix embeddings equals generation from the tokens they embed (padding between, with and without cache)`, () => {
      const m = TransformerLM.create(cfg, new Rng(13));
      const prefix = m.embed(ids([[1, 2], [3, 4]]));
      const want = m.generate({ prompts: [[1, 2, 5, 6, 7], [3, 4, 8]], maxNewTokens: 6 });
      expect(m.generate({ prefix, prompts: [[5, 6, 7], [8]], maxNewTokens: 6 })).toEqual(want);
      expect(m.generate({ prefix, prompts: [[5, 6, 7], [8]], maxNewTokens: 6, useCache: false })).toEqual(want);
      const onlyPrefix = m.generate({ prefix, prompts: [[], []], maxNewTokens: 4 });
      expect(onlyPrefix).toEqual(m.generate({ prompts: [[1, 2], [3, 4]], maxNewTokens: 4 }));
      expect(() => m.generate({ prefix, prompts: [[1]], maxNewTokens: 2 })).toThrow(/prefix must be \[1, P, \d+\]/);
      m.dispose();
    });
  }

  for (const cfg of [TINY_GPT2, TINY_LLAMA]) {
    it(`${cfg.arch}: the plain tfjs-op path (what backends without xrec kernels run) equals the fused kernels`, () => {
      const m = TransformerLM.create(cfg, new Rng(14));
      const x = ids([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]);
      const labels = tf.tensor2d([[2, 3, 4, 5, -100], [7, 8, 9, 10, 11]], [2, 5], 'int32');
      const vars = [...m.trainableVariables().values()];
      const run = () => {
        const logits = Array.from(m.forward({ ids: x }).logits.dataSync());
        const { value, grads } = tf.variableGrads(() => m.loss({ ids: x, labels }), vars);
        return { logits, loss: value.dataSync()[0]!, grads: vars.map((v) => Array.from(grads[v.name]!.dataSync())) };
      };
      const fused = run();
      setFusedKernels(false);
      let plain: ReturnType<typeof run>;
      try {
        plain = run();
      } finally {
        setFusedKernels(true);
      }
      expect(Math.max(...fused.logits.map((v, i) => Math.abs(v - plain.logits[i]!)))).toBeLessThan(1e-4);
      expect(Math.abs(fused.loss - plain.loss)).toBeLessThan(1e-5);
      fused.grads.forEach((g, k) => expect(Math.max(...g.map((v, i) => Math.abs(v - plain.grads[k]![i]!)))).toBeLessThan(1e-4));
      m.dispose();
    });
  }

  it('sampling is seeded; top-k 1 equals greedy; EOS stops a row; limit and context stop', () => {
    const m = TransformerLM.create(TINY_LLAMA, new Rng(6));
    const prompts = [[1, 2, 3], [4, 5]];
    const s1 = m.generate({ prompts, maxNewTokens: 12, temperature: 1.5, topP: 0.95, seed: 11 });
    const s2 = m.generate({ prompts, maxNewTokens: 12, temperature: 1.5, topP: 0.95, seed: 11 });
    const s3 = m.generate({ prompts, maxNewTokens: 12, temperature: 1.5, topP: 0.95, seed: 12 });
    expect(s1).toEqual(s2);
    expect(s1).not.toEqual(s3);
    const greedy = m.generate({ prompts, maxNewTokens: 12, greedy: true });
    expect(m.generate({ prompts, maxNewTokens: 12, temperature: 0.7, topK: 1, seed: 3 })).toEqual(greedy);
    const eos = greedy[0]![4]!;
    const stopped = m.generate({ prompts, maxNewTokens: 12, greedy: true, eosId: eos });
    expect(stopped[0]).toEqual(greedy[0]!.slice(0, greedy[0]!.indexOf(eos)));
    // Context 32, prompt 3 -> at most 30 new tokens (the last one is never fed back).
    expect(m.generate({ prompts: [[1, 2, 3]], maxNewTokens: 100 })[0]!.length).toBe(30);
    expect(() => m.generate({ prompts: [[1, 2]], maxNewTokens: 3, topP: 0 })).toThrow(ConfigError);
    m.dispose();
  });

  it('clear errors: prompt longer than context, bad ids, mismatched prefix/mask', () => {
    const m = TransformerLM.create(TINY_GPT2, new Rng(7));
    const long = Array.from({ length: 30 }, (_, i) => i);
    expect(() => m.generate({ prompts: [long], maxNewTokens: 1 })).toThrow(ShapeError);
    expect(() => m.generate({ prompts: [long], maxNewTokens: 1 })).toThrow(/prompt length 30 .* exceeds contextLength 24/);
    expect(() => m.forward({ ids: ids([long]) })).toThrow(/sequence length 30 exceeds contextLength 24/);
    expect(() => m.generate({ prompts: [[50]], maxNewTokens: 1 })).toThrow(/outside the vocabulary \[0, 50\)/);
    expect(() => m.generate({ prompts: [[]], maxNewTokens: 1 })).toThrow(/nothing to condition on/);
    expect(() => m.forward({ ids: ids([[1, 2]]), attentionMask: tf.ones([1, 3]) as tf.Tensor2D })).toThrow(/attentionMask must be \[1, 2\]/);
    expect(() => m.forward({ prefix: tf.zeros([1, 2, 7]) as tf.Tensor3D })).toThrow(/prefix must be \[B, P, 16\]/);
    m.dispose();
  });

  it('fromWeights rejects a shape that does not match the config, naming both', () => {
    const m = TransformerLM.create(TINY_GPT2, new Rng(8));
    const w = weightsOf(m);
    w.set('transformer.h.0.mlp.c_fc.weight', { shape: [16, 32], values: new Float32Array(16 * 32) });
    expect(() => TransformerLM.fromWeights(TINY_GPT2, w)).toThrow(CheckpointError);
    expect(() => TransformerLM.fromWeights(TINY_GPT2, w)).toThrow(/'transformer.h.0.mlp.c_fc.weight' has shape \[16, 32\] .* expects \[16, 64\]/);
    m.dispose();
  });

  it('llama2.c reader rejects a truncated file naming both sizes', () => {
    const header = new Int32Array([8, 16, 1, 2, 2, 10, 4]);
    const bytes = new Uint8Array(28 + 40);
    bytes.set(new Uint8Array(header.buffer), 0);
    expect(() => parseLlama2c(bytes, 'x.bin')).toThrow(/x.bin: file is 68 bytes but its header .* needs \d+/);
    expect(() => parseLlama2c(new Uint8Array(10), 'y.bin')).toThrow(CheckpointError);
  });

  it('dropout is seeded and only active in training', () => {
    const m = TransformerLM.create(TINY_GPT2, new Rng(9));
    const x = ids([[1, 2, 3, 4]]);
    const evalA = m.forward({ ids: x }).logits.dataSync();
    const t1 = m.forward({ ids: x, training: true, dropoutSeed: 100 }).logits.dataSync();
    const t2 = m.forward({ ids: x, training: true, dropoutSeed: 100 }).logits.dataSync();
    expect(Array.from(t1)).toEqual(Array.from(t2));
    expect(Array.from(t1)).not.toEqual(Array.from(evalA));
    expect(Array.from(m.forward({ ids: x }).logits.dataSync())).toEqual(Array.from(evalA));
    m.dispose();
  });

  it('the adapter slot changes the output and adapterDisabled bypasses it', () => {
    const m = TransformerLM.create(TINY_LLAMA, new Rng(10));
    const x = ids([[1, 2, 3]]);
    const base = Array.from(m.forward({ ids: x }).logits.dataSync());
    const layer = m.linearLayers().find((l) => l.name === 'model.layers.0.mlp.down_proj')!;
    layer.adapter = { apply: (_x, y) => tf.add(y, 0.5) };
    const adapted = Array.from(m.forward({ ids: x }).logits.dataSync());
    expect(adapted).not.toEqual(base);
    layer.adapterDisabled = true;
    expect(Array.from(m.forward({ ids: x }).logits.dataSync())).toEqual(base);
    m.dispose();
  });

  for (const cfg of [TINY_GPT2, TINY_LLAMA]) {
    it(`${cfg.arch}: a training loop on wasm lowers the loss and keeps tf.memory().numTensors constant`, () => {
      const m = TransformerLM.create({ ...cfg, dropout: 0.1 }, new Rng(11));
      const opt = tf.train.adam(0.01);
      const x = ids([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]]);
      const labels = tf.tensor2d([[2, 3, 4, 5, 6, -100], [5, 4, 3, 2, 1, -100]], [2, 6], 'int32');
      const vars = [...m.trainableVariables().values()];
      const losses: number[] = [];
      const counts: number[] = [];
      for (let step = 0; step < 25; step++) {
        const loss = opt.minimize(() => m.loss({ ids: x, labels, training: true }), true, vars)!;
        losses.push(loss.dataSync()[0]!);
        loss.dispose();
        counts.push(tf.memory().numTensors);
      }
      expect(new Set(counts.slice(2)).size).toBe(1);
      expect(losses[24]!).toBeLessThan(losses[0]! * 0.5);
      opt.dispose();
      m.dispose();
    });
  }
});

function weightsOf(m: TransformerLM) {
  const w = new Map<string, { shape: readonly number[]; values: Float32Array }>();
  for (const [n, v] of m.parameters()) w.set(n, { shape: v.shape, values: v.dataSync() as Float32Array });
  return w;
}

function maxAbs(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

describe('training on a batch of one window with dropout on', () => {
  it('computes gradients (tfjs cannot differentiate a one-row unstack; the model reshapes instead)', async () => {
    await initBackend();
    const m = TransformerLM.create(resolveTransformerConfig({ arch: 'gpt2', vocabSize: 50, contextLength: 8, dModel: 16, nHeads: 2, nLayers: 1, dropout: 0.1 }), new Rng(1));
    const before = tf.memory().numTensors;
    const { value, grads } = tf.tidy(() => {
      const ids = tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32');
      const labels = tf.tensor2d([[2, 3, 4, 5]], [1, 4], 'int32');
      return tf.variableGrads(() => m.loss({ ids, labels, training: true }));
    });
    expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
    expect(Object.keys(grads).length).toBeGreaterThan(5);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});
