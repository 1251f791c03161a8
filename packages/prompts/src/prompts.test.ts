import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ConfigError, Rng } from '@xrec/core';
import { initBackend, resolveTransformerConfig, TransformerLM } from '@xrec/transformer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttentionMixture, concatPrefixes, EntityPromptTable, PrefixTuning, PromptTuning } from './index.js';

await initBackend();

describe('EntityPromptTable', () => {
  it('draws each kind from the seed in order, looks rows up and stacks a [B, kinds, d] prefix', () => {
    const kinds = [
      { name: 'user', count: 3 },
      { name: 'item', count: 2 },
    ];
    const a = EntityPromptTable.create(kinds, 4, { kind: 'uniform', range: 0.1 }, new Rng(1));
    const b = EntityPromptTable.create(kinds, 4, { kind: 'uniform', range: 0.1 }, new Rng(1));
    expect([...a.variables().keys()]).toEqual(['user_embeddings.weight', 'item_embeddings.weight']);
    const ua = a.variables().get('user_embeddings.weight')!.dataSync();
    expect(Array.from(ua)).toEqual(Array.from(b.variables().get('user_embeddings.weight')!.dataSync()));
    expect(Math.max(...Array.from(ua).map(Math.abs))).toBeLessThanOrEqual(0.1);
    // the draw order is users then items from one stream (PEPLER's initialisation)
    const rng = new Rng(1);
    const first = Array.from({ length: 12 }, () => Math.fround((rng.float() * 2 - 1) * 0.1));
    expect(Array.from(ua)).toEqual(first);
    const { prefix, parts } = a.prefix([Int32Array.of(2, 0), Int32Array.of(1, 1)]);
    expect(prefix.shape).toEqual([2, 2, 4]);
    expect(Array.from(parts[0]!.dataSync().slice(0, 4))).toEqual(first.slice(8, 12));
    const again = EntityPromptTable.fromValues(kinds, 4, a.values(), 'test');
    expect(Array.from(again.lookup('item', Int32Array.of(1)).dataSync())).toEqual(Array.from(a.lookup('item', Int32Array.of(1)).dataSync()));
    expect(() => EntityPromptTable.fromValues(kinds, 5, a.values(), 'prompts.safetensors')).toThrow(CheckpointError);
    expect(() => a.lookup('shop', Int32Array.of(0))).toThrow(/no kind 'shop'/);
    expect(() => EntityPromptTable.create([{ name: 'user', count: 0 }], 4, { kind: 'normal', std: 1 }, new Rng(0))).toThrow(ConfigError);
    [a, b, again].forEach((t) => t.dispose());
  });
});

describe('PromptTuning', () => {
  it('holds exactly one tensor, its variable, whatever the init (dispose releases it)', () => {
    const emb = tf.randomNormal([10, 4]) as tf.Tensor2D;
    const n0 = tf.memory().numTensors;
    for (const init of [{ kind: 'embeddings' as const, embeddings: emb, ids: [1, 2] }, { kind: 'uniform' as const, range: 0.1 }, undefined]) {
      const p = PromptTuning.create({ tokens: 3, dim: 4, ...(init ? { init } : {}) }, new Rng(1));
      expect(tf.memory().numTensors).toBe(n0 + 1);
      p.dispose();
      expect(tf.memory().numTensors).toBe(n0);
    }
    emb.dispose();
  });

  it('virtual tokens from token embeddings, tiled over the batch, trainable through the model', () => {
    const lm = TransformerLM.create(resolveTransformerConfig({ arch: 'gpt2', vocabSize: 30, contextLength: 16, dModel: 8, nHeads: 2, nLayers: 1 }), new Rng(2));
    const emb = lm.parameters().get('transformer.wte.weight')! as unknown as tf.Tensor2D;
    const pt = PromptTuning.create({ tokens: 3, dim: 8, init: { kind: 'embeddings', embeddings: emb, ids: [5, 7] } }, new Rng(0));
    const row = (id: number) => Array.from(emb.dataSync().slice(id * 8, id * 8 + 8));
    const p = pt.prefix(2);
    expect(p.shape).toEqual([2, 3, 8]);
    expect(Array.from(p.dataSync().slice(16, 24))).toEqual(row(5)); // token 2 cycles back to id 5
    const ids = tf.tensor2d([[1, 2]], [1, 2], 'int32');
    const labels = tf.tensor2d([[-100, -100, -100, 2, 3]], [1, 5], 'int32');
    const { grads } = tf.variableGrads(() => lm.loss({ ids, prefix: pt.prefix(1), labels }), [...pt.variables().values()]);
    expect(Object.values(grads).every((g) => g.abs().sum().dataSync()[0]! > 0)).toBe(true);
    expect(() => PromptTuning.create({ tokens: 2, dim: 8, init: { kind: 'embeddings', embeddings: emb, ids: [30] } }, new Rng(0))).toThrow(/in \[0, 30\)/);
    pt.dispose();
    lm.dispose();
  });
});

describe('PrefixTuning', () => {
  const cfg = { tokens: 3, layers: 2, kvHeads: 2, headDim: 4, dModel: 8 };

  it("lays the flat keys/values out as peft's view(n, L·2, H, hd).permute(2, 0, 3, 1, 4)", () => {
    const m = PrefixTuning.create(cfg, new Rng(3));
    const flat = m.flat().dataSync();
    const kv = m.prefixKV();
    const width = 2 * 2 * 2 * 4;
    for (let l = 0; l < 2; l++) {
      for (const [which, list] of [[0, kv.k], [1, kv.v]] as const) {
        const t = list[l]!;
        expect(t.shape).toEqual([1, 2, 3, 4]);
        const got = t.dataSync();
        for (let h = 0; h < 2; h++) for (let n = 0; n < 3; n++) for (let j = 0; j < 4; j++) {
          expect(got[(h * 3 + n) * 4 + j]).toBe(flat[n * width + ((l * 2 + which) * 2 + h) * 4 + j]);
        }
      }
    }
    m.dispose();
  });

  it('with the reparameterisation MLP: a frozen model with a trained prefix lowers its loss and keeps its weights', () => {
    const lm = TransformerLM.create(resolveTransformerConfig({ arch: 'llama', vocabSize: 30, contextLength: 16, dModel: 8, nHeads: 4, nKvHeads: 2, nLayers: 2 }), new Rng(4));
    lm.setTrainable(() => false);
    const before = [...lm.parameters().values()].map((v) => v.dataSync().slice());
    const m = PrefixTuning.create({ ...cfg, kvHeads: 2, headDim: 2, projectionHidden: 16, dropout: 0.1 }, new Rng(5));
    expect([...m.variables().keys()]).toEqual(['embedding.weight', 'transform.0.weight', 'transform.0.bias', 'transform.2.weight', 'transform.2.bias']);
    const ids = tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32');
    const labels = tf.tensor2d([[7, 8, 9, 10]], [1, 4], 'int32');
    const opt = tf.train.adam(0.1);
    const losses: number[] = [];
    for (let s = 0; s < 60; s++) {
      losses.push(opt.minimize(() => lm.loss({ ids, labels, prefixKV: m.prefixKV({ training: true, dropoutSeed: s }) }), true, [...m.variables().values()])!.dataSync()[0]!);
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.1);
    [...lm.parameters().values()].forEach((v, i) => expect(Buffer.from(v.dataSync().buffer).equals(Buffer.from(before[i]!.buffer))).toBe(true));
    expect(() => PrefixTuning.create({ ...cfg, tokens: 0 }, new Rng(0))).toThrow(/tokens must be a positive integer/);
    m.dispose();
    lm.dispose();
  });

  it('concatPrefixes joins prefixes along the prefix axis', () => {
    const a = PrefixTuning.create(cfg, new Rng(6));
    const b = PrefixTuning.create({ ...cfg, tokens: 2 }, new Rng(7));
    const joined = concatPrefixes([a.prefixKV(), b.prefixKV()]);
    expect(joined.k.map((t) => t.shape)).toEqual([
      [1, 2, 5, 4],
      [1, 2, 5, 4],
    ]);
    expect(Array.from(joined.v[1]!.dataSync().slice(0, 12))).toEqual(Array.from(a.prefixKV().v[1]!.dataSync().slice(0, 12)));
    expect(() => concatPrefixes([])).toThrow(ConfigError);
    a.dispose();
    b.dispose();
  });
});

describe('AttentionMixture (UP5 prompt mixture)', () => {
  it('equals torch.nn.MultiheadAttention over the joined prefixes (test/fixtures/attention-mixture-torch.json); one part passes through; gradients reach every variable', () => {
    const fx = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'test', 'fixtures', 'attention-mixture-torch.json'), 'utf8')) as {
      L: number; H: number; hd: number; heads: number; queries: number[]; parts_k: number[][]; parts_v: number[][]; out_k: number[]; out_v: number[];
    } & Record<'q' | 'k' | 'v' | 'o', { w: number[]; b: number[] }>;
    const n0 = tf.memory().numTensors;
    const m = new AttentionMixture({ tokens: fx.L, layers: 1, kvHeads: fx.H, headDim: fx.hd, heads: fx.heads }, new Rng(0));
    const vars = m.variables();
    tf.tidy(() => {
      vars.get('queries')!.assign(tf.tensor(fx.queries, vars.get('queries')!.shape));
      for (const p of ['q', 'k', 'v', 'o'] as const) {
        vars.get(`${p}.weight`)!.assign(tf.tensor(fx[p].w, vars.get(`${p}.weight`)!.shape));
        vars.get(`${p}.bias`)!.assign(tf.tensor(fx[p].b, vars.get(`${p}.bias`)!.shape));
      }
    });
    const shape = [1, fx.H, fx.L, fx.hd] as [number, number, number, number];
    tf.tidy(() => {
      const parts = fx.parts_k.map((k, i) => ({ k: [tf.tensor4d(k, shape)], v: [tf.tensor4d(fx.parts_v[i]!, shape)] }));
      const out = m.mix(parts);
      expect(out.k[0]!.shape).toEqual(shape);
      Array.from(out.k[0]!.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(fx.out_k[i]!, 5));
      Array.from(out.v[0]!.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(fx.out_v[i]!, 5));
      expect(m.mix([parts[0]!])).toBe(parts[0]);
      const { grads } = tf.variableGrads(() => tf.sum(tf.add(tf.sum(m.mix(parts).k[0]!), tf.sum(m.mix(parts).v[0]!))) as tf.Scalar, [...vars.values()]);
      for (const v of vars.values()) expect(tf.max(tf.abs(grads[v.name]!)).dataSync()[0], v.name).toBeGreaterThan(0);
    });
    expect(() => m.mix([])).toThrow(/no prefixes to mix/);
    expect(() => new AttentionMixture({ tokens: 2, layers: 1, kvHeads: 2, headDim: 3, heads: 4 }, new Rng(0))).toThrow(/heads must divide kvHeads·headDim = 6/);
    m.dispose();
    expect(tf.memory().numTensors).toBe(n0);
  });

  it('identityValues: the mixed prefix starts as a convex combination of the parts’ positions; queries and keys start as without it', () => {
    const cfg = { tokens: 3, layers: 2, kvHeads: 2, headDim: 4 };
    const plain = new AttentionMixture(cfg, new Rng(5));
    const ident = new AttentionMixture({ ...cfg, identityValues: true }, new Rng(5));
    const a = plain.variables();
    const b = ident.variables();
    for (const n of ['queries', 'q.weight', 'k.weight']) expect(Array.from(b.get(n)!.dataSync())).toEqual(Array.from(a.get(n)!.dataSync()));
    expect(Array.from(b.get('v.weight')!.dataSync())).not.toEqual(Array.from(a.get('v.weight')!.dataSync()));
    tf.tidy(() => {
      // every position of every part holds the same vector c (per layer): any convex combination of positions is c
      const c = [tf.randomNormal([1, 2, 1, 4], 0, 1, 'float32', 1), tf.randomNormal([1, 2, 1, 4], 0, 1, 'float32', 2)];
      const part = () => ({ k: c.map((x) => tf.tile(x, [1, 1, 3, 1]) as tf.Tensor4D), v: c.map((x) => tf.tile(x, [1, 1, 3, 1]) as tf.Tensor4D) });
      const out = ident.mix([part(), part()]);
      for (let l = 0; l < 2; l++) {
        const want = tf.tile(c[l]!, [1, 1, 3, 1]).dataSync();
        Array.from(out.k[l]!.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 5));
        Array.from(out.v[l]!.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 5));
      }
      // without the identity the same parts are mapped elsewhere
      expect(Math.abs(plain.mix([part(), part()]).k[0]!.dataSync()[0]! - c[0]!.dataSync()[0]!)).toBeGreaterThan(1e-3);
    });
    plain.dispose();
    ident.dispose();
  });
});
