import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadSafetensorsSync, Rng, tensorToFloat32, tensorToInts } from '@xrec/core';
import { initBackend, loadT5, PrefixTrie, relativePositionBucket, resolveT5Config, saveT5, T5Model, t5FromHf, t5ToHf } from '../src/index.js';

const FIX = join(import.meta.dirname, 'fixtures');

describe('T5 encoder–decoder', () => {
  beforeAll(async () => {
    await initBackend();
  });

  for (const name of ['ref-t5', 'ref-t5-gated']) {
    it(`${name}: logits agree with the independent PyTorch implementation (test/reference/make_t5_fixtures.py) to 1e-4`, async () => {
      const model = await loadT5(join(FIX, name));
      const e = loadSafetensorsSync(join(FIX, name, 'expected.safetensors')).tensors;
      const t = (k: string) => tf.tensor2d(tensorToInts(e.get(k)!), e.get(k)!.shape as [number, number], 'int32');
      const before = tf.memory().numTensors;
      const logits = model.forward({ inputIds: t('ids'), attentionMask: t('mask'), decoderInputIds: t('dec') });
      const want = tensorToFloat32(e.get('logits')!);
      const got = logits.dataSync();
      let diff = 0;
      for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
      expect(logits.shape).toEqual(e.get('logits')!.shape);
      expect(diff).toBeLessThan(1e-4);
      expect(Math.max(...Array.from(want).map(Math.abs))).toBeGreaterThan(0.5);
      logits.dispose();
      expect(tf.memory().numTensors).toBe(before + 3); // the three inputs only
      model.dispose();
    });
  }

  it('relative position buckets: exact below buckets/4 (bidirectional), log-spaced above, capped; causal sees only the past', () => {
    expect([0, 1, 7, -1, -7].map((r) => relativePositionBucket(r, true, 32, 128))).toEqual([0, 17, 23, 1, 7]);
    expect(relativePositionBucket(-1000, true, 32, 128)).toBe(15);
    expect(relativePositionBucket(1000, true, 32, 128)).toBe(31);
    expect([0, 3, -3, -15, -16].map((r) => relativePositionBucket(r, false, 32, 128))).toEqual([0, 0, 3, 15, 16]);
    // float32 rounding at a boundary as PyTorch: |rel| = 16 with 16 buckets of 8 exact, max distance 128 → 8 + ⌊2·log2(2)⌋
    expect(relativePositionBucket(-16, true, 32, 128)).toBe(10);
    // every offset in [-600, 600] for four shapes, against PyTorch's float32 computation (HF's code path)
    const torchBuckets = JSON.parse(readFileSync(join(FIX, 't5-buckets-torch.json'), 'utf8')) as Record<string, number[]>;
    for (const [key, want] of Object.entries(torchBuckets)) {
      const [nb, md, bid] = key.split(',').map(Number) as [number, number, number];
      expect(want.map((_, i) => relativePositionBucket(i - 600, bid === 1, nb, md)), key).toEqual(want);
    }
  });

  it('config: t5-small defaults, derived fields, Hugging Face round trip, clear errors', () => {
    const c = resolveT5Config({ vocabSize: 100, dModel: 64, nHeads: 4, nLayers: 2 });
    expect(c).toMatchObject({ dKv: 16, dFF: 256, nDecoderLayers: 2, tieEmbeddings: true, decoderStartId: 0 });
    expect(t5FromHf(t5ToHf(c))).toEqual(c);
    expect(resolveT5Config({ ffn: 'gated-gelu' }).tieEmbeddings).toBe(false);
    expect(() => resolveT5Config({ nHead: 2 } as never)).toThrow(/unknown field 'nHead'.*nHeads/);
    expect(() => t5FromHf({ model_type: 't5', vocab_size: 5 })).toThrow(/config.json: missing field '(num_layers|d_model)'/);
    expect(() => t5FromHf({ model_type: 'bart' })).toThrow(/is not 't5'/);
  });

  it('loss is the teacher-forced cross-entropy of forward logits; training lowers it; save → load keeps the logits', async () => {
    const m = T5Model.create({ vocabSize: 30, dModel: 16, nHeads: 2, nLayers: 1, nDecoderLayers: 1, dFF: 32, dropout: 0 }, new Rng(3));
    const inputIds = tf.tensor2d([[5, 6, 7, 1], [8, 9, 1, 0]], [2, 4], 'int32');
    const attentionMask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 1, 0]], [2, 4], 'int32');
    const lab = [[10, 11, 1], [12, 1, -100]];
    const labels = tf.tensor2d(lab, [2, 3], 'int32');
    const l0 = m.loss({ inputIds, attentionMask, labels }).dataSync()[0]!;
    const dec = tf.tensor2d(Array.from(m.shiftRight(lab.flat(), 2, 3)), [2, 3], 'int32');
    expect(Array.from(dec.dataSync())).toEqual([0, 10, 11, 0, 12, 1]);
    const logits = m.forward({ inputIds, attentionMask, decoderInputIds: dec }).arraySync() as number[][][];
    let ce = 0;
    let n = 0;
    lab.forEach((row, b) => row.forEach((y, t) => {
      if (y < 0) return;
      const z = logits[b]![t]!;
      const mx = Math.max(...z);
      ce += mx + Math.log(z.reduce((a, v) => a + Math.exp(v - mx), 0)) - z[y]!;
      n++;
    }));
    expect(l0).toBeCloseTo(ce / n, 4);
    const opt = tf.train.adam(0.03);
    const vars = [...m.parameters().values()];
    for (let i = 0; i < 60; i++) opt.minimize(() => m.loss({ inputIds, attentionMask, labels, training: true }), false, vars);
    expect(m.loss({ inputIds, attentionMask, labels }).dataSync()[0]!).toBeLessThan(0.1);
    expect(m.generate({ inputIds: [[5, 6, 7, 1], [8, 9, 1]], maxNewTokens: 5 })).toEqual([[10, 11], [12]]);
    const dir = mkdtempSync(join(tmpdir(), 'xrec-t5-'));
    try {
      await saveT5(m, dir);
      const again = await loadT5(dir);
      expect(Array.from(again.forward({ inputIds, attentionMask, decoderInputIds: dec }).dataSync())).toEqual(Array.from(m.forward({ inputIds, attentionMask, decoderInputIds: dec }).dataSync()));
      again.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    m.dispose();
  });
});

describe('T5 constrained beam search', () => {
  it('a prefix trie keeps every beam a valid sequence, and beam ranking equals log-likelihood ranking', async () => {
    await initBackend();
    const m = T5Model.create({ vocabSize: 40, dModel: 16, nHeads: 2, nLayers: 1, nDecoderLayers: 1, dFF: 32, dropout: 0 }, new Rng(9));
    const items = [
      [10, 11, 1],
      [10, 12, 1],
      [13, 1],
      [14, 15, 16, 1],
      [14, 15, 17, 1],
    ];
    const trie = new PrefixTrie(items);
    expect(trie.allowed([])).toEqual([10, 13, 14]);
    expect(trie.allowed([14, 15])).toEqual([16, 17]);
    expect(trie.allowed([14, 15, 16, 1])).toEqual([]);
    expect(trie.allowed([99])).toEqual([]);
    const input = [5, 6, 7, 1];
    const beams = m.beamSearch({ input, beams: 5, maxNewTokens: 6, allowed: (p) => trie.allowed(p) });
    expect(beams).toHaveLength(5);
    const key = (t: readonly number[]) => t.join(',');
    expect(new Set(beams.map((b) => key(b.tokens)))).toEqual(new Set(items.map(key)));
    const ll = m.sequenceLogLikelihood(input, items);
    const byLl = items.map((t, i) => [key(t), ll[i]!] as const).sort((a, b) => b[1] - a[1]);
    expect(beams.map((b) => key(b.tokens))).toEqual(byLl.map(([k]) => k));
    beams.forEach((b) => expect(b.logProb).toBeCloseTo(ll[items.findIndex((t) => key(t) === key(b.tokens))]!, 4));
    expect(() => m.beamSearch({ input, beams: 0, maxNewTokens: 3 })).toThrow(/beams must be a positive integer/);
    // an encoder edit: the identity changes nothing; scaling the states changes the scores; a wrong shape is refused
    const same = m.beamSearch({ input, beams: 5, maxNewTokens: 6, allowed: (p) => trie.allowed(p), encoderEdit: (e) => tf.clone(e) });
    expect(same).toEqual(beams);
    const scaled = m.beamSearch({ input, beams: 5, maxNewTokens: 6, allowed: (p) => trie.allowed(p), encoderEdit: (e) => tf.mul(e, 3) as tf.Tensor2D });
    expect(scaled.map((b) => b.logProb)).not.toEqual(beams.map((b) => b.logProb));
    const n0 = tf.memory().numTensors;
    expect(() => m.beamSearch({ input, beams: 2, maxNewTokens: 3, encoderEdit: (e) => tf.slice(e, [0, 0], [1, -1]) as tf.Tensor2D })).toThrow(/encoderEdit must return \[4, 16\], got \[1, 16\]/);
    expect(tf.memory().numTensors).toBe(n0);
    m.dispose();
  });
});

describe('T5 per-layer prefixes (encoder self-, decoder self- and cross-attention)', () => {
  it('gradients match finite differences; a frozen model with a prefix changes its outputs; shapes are checked', async () => {
    await initBackend();
    const m = T5Model.create({ vocabSize: 30, dModel: 16, nHeads: 2, dKv: 8, nLayers: 2, nDecoderLayers: 1, dFF: 32, dropout: 0 }, new Rng(4));
    const inputIds = tf.tensor2d([[5, 6, 7, 1], [8, 9, 1, 0]], [2, 4], 'int32');
    const attentionMask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 1, 0]], [2, 4], 'int32');
    const labels = tf.tensor2d([[10, 11, 1], [12, 1, -100]], [2, 3], 'int32');
    const rnd = (layers: number, seed: number) => ({
      k: Array.from({ length: layers }, (_, l) => tf.variable(tf.randomNormal([1, 2, 3, 8], 0, 0.5, 'float32', seed + l)) as unknown as tf.Tensor4D),
      v: Array.from({ length: layers }, (_, l) => tf.variable(tf.randomNormal([1, 2, 3, 8], 0, 0.5, 'float32', seed + 10 + l)) as unknown as tf.Tensor4D),
    });
    const prefix = { encoder: rnd(2, 1), decoder: rnd(1, 30), cross: rnd(1, 60) };
    const plain = m.loss({ inputIds, attentionMask, labels }).dataSync()[0]!;
    const withPrefix = () => m.loss({ inputIds, attentionMask, labels, prefix });
    expect(Math.abs(withPrefix().dataSync()[0]! - plain)).toBeGreaterThan(1e-3);
    for (const [stack, kv] of Object.entries(prefix)) {
      const target = kv.v[0] as unknown as tf.Variable;
      const { grads } = tf.variableGrads(withPrefix, [target]);
      const g = grads[target.name]!.dataSync()[5]!;
      const base = target.dataSync();
      const at = (delta: number) => {
        const w = Float32Array.from(base);
        w[5] = w[5]! + delta;
        target.assign(tf.tensor(w, target.shape));
        const l = withPrefix().dataSync()[0]!;
        target.assign(tf.tensor(base, target.shape));
        return l;
      };
      const fd = (at(1e-2) - at(-1e-2)) / 2e-2;
      expect(Math.abs(g - fd), `${stack}: analytic ${g} vs FD ${fd}`).toBeLessThan(2e-3 + 0.02 * Math.abs(fd));
    }
    const bad = { cross: { k: [tf.zeros([1, 2, 3, 7]) as tf.Tensor4D], v: [tf.zeros([1, 2, 3, 7]) as tf.Tensor4D] } };
    expect(() => m.loss({ inputIds, attentionMask, labels, prefix: bad })).toThrow(/prefix\.cross\.k\[0\] must be \[1 or 2, 2, P ≥ 1, 8\]/);
    expect(() => m.loss({ inputIds, attentionMask, labels, prefix: { encoder: prefix.decoder } })).toThrow(/prefix\.encoder needs 2 key and value tensors/);
    const beams = m.beamSearch({ input: [5, 6, 7, 1], beams: 2, maxNewTokens: 2, prefix });
    expect(beams).toHaveLength(2);
    m.dispose();
  });
});

describe('T5 decoding with a key/value cache', () => {
  it('greedy and beam search give the same tokens and log-probabilities with and without the cache (with prefixes, padding, 2 decoder layers)', async () => {
    await initBackend();
    const m = T5Model.create({ vocabSize: 50, dModel: 16, nHeads: 2, dKv: 8, nLayers: 2, nDecoderLayers: 2, dFF: 32, dropout: 0, ffn: 'gated-gelu' }, new Rng(21));
    const rows = [[5, 6, 7, 8, 9, 1], [10, 11, 1], [12, 1]];
    const before = tf.memory().numTensors;
    const cached = m.generate({ inputIds: rows, maxNewTokens: 8 });
    const plain = m.generate({ inputIds: rows, maxNewTokens: 8, cache: false });
    expect(cached).toEqual(plain);
    expect(cached.some((r) => r.length >= 3)).toBe(true);
    expect(tf.memory().numTensors).toBe(before); // the cache is released
    const rnd = (layers: number, seed: number) => ({
      k: Array.from({ length: layers }, (_, l) => tf.randomNormal([1, 2, 2, 8], 0, 0.5, 'float32', seed + l) as tf.Tensor4D),
      v: Array.from({ length: layers }, (_, l) => tf.randomNormal([1, 2, 2, 8], 0, 0.5, 'float32', seed + 10 + l) as tf.Tensor4D),
    });
    for (const prefix of [undefined, { decoder: rnd(2, 3), cross: rnd(2, 40) }]) {
      const o = { input: [5, 6, 7, 8, 1], beams: 6, maxNewTokens: 5, ...(prefix ? { prefix } : {}) };
      const a = m.beamSearch(o);
      const b = m.beamSearch({ ...o, cache: false });
      expect(a.map((h) => h.tokens)).toEqual(b.map((h) => h.tokens));
      a.forEach((h, i) => expect(h.logProb).toBeCloseTo(b[i]!.logProb, 4));
      expect(a).toHaveLength(6);
    }
    m.dispose();
  });
});

describe('T5 whole-word embeddings (P5)', () => {
  it('adds one learned vector per word index to the encoder input; config round-trips; misuse is a clear error', async () => {
    await initBackend();
    const cfg = { vocabSize: 30, dModel: 16, nHeads: 2, nLayers: 1, dFF: 32, dropout: 0, wholeWordEmbeddings: 8 };
    const m = T5Model.create(cfg, new Rng(5));
    expect(m.parameters().get('encoder.whole_word_embeddings.weight')!.shape).toEqual([8, 16]);
    expect(t5FromHf(t5ToHf(m.config)).wholeWordEmbeddings).toBe(8);
    expect(t5ToHf(resolveT5Config({})).whole_word_embeddings).toBeUndefined();
    const inputIds = tf.tensor2d([[5, 6, 7, 1]], [1, 4], 'int32');
    const labels = tf.tensor2d([[10, 1]], [1, 2], 'int32');
    const zero = tf.tensor2d([[0, 0, 0, 0]], [1, 4], 'int32');
    const words = tf.tensor2d([[1, 1, 2, 0]], [1, 4], 'int32');
    const l0 = m.loss({ inputIds, labels, wholeWordIds: zero }).dataSync()[0]!;
    const l1 = m.loss({ inputIds, labels, wholeWordIds: words }).dataSync()[0]!;
    expect(Math.abs(l0 - l1)).toBeGreaterThan(1e-4);
    // the decoding helpers take the same whole-word ids: log p(target) = −loss · target length
    const ll = m.sequenceLogLikelihood({ ids: [5, 6, 7, 1], wholeWordIds: [1, 1, 2, 0] }, [[10, 1]])[0]!;
    expect(-ll / 2).toBeCloseTo(l1, 4);
    expect(() => m.loss({ inputIds, labels, wholeWordIds: tf.tensor2d([[0, 9, 0, 0]], [1, 4], 'int32') })).toThrow(/whole-word id is 9, but the table has 8 rows/);
    expect(() => m.loss({ inputIds, labels, wholeWordIds: tf.tensor2d([[0, 1]], [1, 2], 'int32') })).toThrow(/wholeWordIds must be int32 \[1, 4\]/);
    const plainModel = T5Model.create({ ...cfg, wholeWordEmbeddings: 0 }, new Rng(5));
    expect(() => plainModel.loss({ inputIds, labels, wholeWordIds: words })).toThrow(/no whole-word embeddings/);
    m.dispose();
    plainModel.dispose();
  });
});
