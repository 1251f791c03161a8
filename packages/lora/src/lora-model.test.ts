import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, Rng, StateError } from '@xrec/core';
import { initBackend } from '@xrec/transformer';
import { fit, ToyModel } from '../test/toy-model.js';
import { disableAdapters, injectLora, mergeAndUnload, mergeLora, printTrainableParameters, setAdapter, unmergeLora, getLoraModel } from './index.js';

const IDS = [0, 3, 5, 7, 9, 11, 13, 15, 2, 4];
const TARGETS = [1, 4, 6, 8, 10, 12, 14, 0, 3, 5];

function logits(m: ToyModel, training = false): Float32Array {
  return tf.tidy(() => m.forward(IDS, training).dataSync() as Float32Array);
}
function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
/** torch.allclose-style: |a - b| <= atol + rtol·|b| everywhere. */
function allClose(a: Float32Array, b: Float32Array, atol = 1e-5, rtol = 1e-5): boolean {
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= atol + rtol * Math.abs(b[i]!))) return false;
  return a.length === b.length;
}
function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

beforeAll(async () => {
  await initBackend();
});

describe('injectLora', () => {
  it('a fresh adapter leaves outputs unchanged (B = 0) and freezes the base', () => {
    const m = new ToyModel();
    const before = logits(m);
    const lm = injectLora(m, { r: 2, loraAlpha: 4, targetModules: 'all-linear' }, { seed: 3 });
    expect(bitsEqual(logits(m), before)).toBe(true);
    expect(lm.adapter().layers).toEqual([
      'transformer.h.0.attn.c_attn', 'transformer.h.0.attn.c_proj', 'transformer.h.0.mlp.up_proj', 'transformer.h.0.mlp.down_proj',
    ]); // all-linear leaves out lm_head
    expect(lm.adapter().config.targetModules).toEqual(['c_attn', 'c_proj', 'down_proj', 'up_proj']);
    expect(m.trainableVariables().size).toBe(0);
    expect([...lm.trainableVariables().keys()]).toContain('transformer.h.0.attn.c_attn.lora_A.default.weight');
    lm.unload();
    m.dispose();
  });

  it('inject, merge, unmerge, switch and unload leave no tensors behind', () => {
    const m = new ToyModel();
    const t0 = tf.memory().numTensors;
    const lm = injectLora(m, { r: 2, targetModules: 'all-linear', modulesToSave: ['lm_head'] }, { adapterName: 'a' });
    injectLora(m, { r: 3, targetModules: ['c_attn'] }, { adapterName: 'b' });
    mergeLora(lm);
    unmergeLora(lm);
    setAdapter(lm, 'b');
    setAdapter(lm, 'a');
    disableAdapters(lm, () => logits(m));
    lm.unload();
    expect(tf.memory().numTensors).toBe(t0);
    m.dispose();
  });

  it('initialises A Kaiming-uniform (bound 1/sqrt(in)) from the seed, B = 0; same seed same A', () => {
    const m1 = new ToyModel();
    const m2 = new ToyModel();
    const a = injectLora(m1, { r: 4, targetModules: ['up_proj'] }, { seed: 9 });
    const b = injectLora(m2, { r: 4, targetModules: ['up_proj'] }, { seed: 9 });
    const w1 = a.loraLayers().get('transformer.h.0.mlp.up_proj')!.adapters.get('default')!;
    const w2 = b.loraLayers().get('transformer.h.0.mlp.up_proj')!.adapters.get('default')!;
    const av = w1.a.dataSync() as Float32Array;
    expect(w1.a.shape).toEqual([8, 4]);
    expect(w1.b.shape).toEqual([4, 24]);
    expect(bitsEqual(av, w2.a.dataSync() as Float32Array)).toBe(true);
    expect(Math.max(...av.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(8));
    expect(Math.max(...av.map(Math.abs))).toBeGreaterThan(0.5 / Math.sqrt(8));
    expect([...w1.b.dataSync()].every((x) => x === 0)).toBe(true);
    a.unload(); b.unload(); m1.dispose(); m2.dispose();
  });

  it('initLoraWeights false makes B random, so outputs change; unload restores them', () => {
    const m = new ToyModel();
    const before = logits(m);
    const lm = injectLora(m, { r: 2, targetModules: ['c_attn'], initLoraWeights: false });
    expect(maxAbsDiff(logits(m), before)).toBeGreaterThan(1e-3);
    lm.unload();
    expect(bitsEqual(logits(m), before)).toBe(true);
    m.dispose();
  });

  it('excludeModules, rankPattern, alphaPattern and gaussian init follow peft', () => {
    const m = new ToyModel();
    const lm = injectLora(m, { r: 4, loraAlpha: 8, targetModules: 'all-linear', excludeModules: ['c_proj'], rankPattern: { up_proj: 2 }, alphaPattern: { 'mlp\\.up_proj': 6 }, initLoraWeights: 'gaussian' });
    expect(lm.adapter().layers).toEqual(['transformer.h.0.attn.c_attn', 'transformer.h.0.mlp.up_proj', 'transformer.h.0.mlp.down_proj']);
    const up = lm.loraLayers().get('transformer.h.0.mlp.up_proj')!.adapters.get('default')!;
    const down = lm.loraLayers().get('transformer.h.0.mlp.down_proj')!.adapters.get('default')!;
    expect([up.r, up.alpha, up.scaling]).toEqual([2, 6, 3]);
    expect([down.r, down.alpha, down.scaling]).toEqual([4, 8, 2]);
    const a = down.a.dataSync() as Float32Array; // N(0, 1/r): std 0.25
    const std = Math.sqrt(a.reduce((t, x) => t + x * x, 0) / a.length);
    expect(std).toBeGreaterThan(0.15);
    expect(std).toBeLessThan(0.35);
    lm.unload();
    m.dispose();
  });

  it('validates targets against the model, naming the field', () => {
    const m = new ToyModel();
    expect(() => injectLora(m, { targetModules: ['nope'] })).toThrow(ConfigError);
    expect(() => injectLora(m, { targetModules: ['nope'] })).toThrow(/LoraConfig\.targetModules.*c_attn/);
    expect(() => injectLora(m, { targetModules: ['c_attn'], fanInFanOut: false })).toThrow(/LoraConfig\.fanInFanOut/);
    expect(() => injectLora(m, { targetModules: ['up_proj'], fanInFanOut: true })).toThrow(/LoraConfig\.fanInFanOut/);
    expect(() => injectLora(m, { targetModules: ['c_attn'], modulesToSave: ['missing'] })).toThrow(/LoraConfig\.modulesToSave/);
    expect(getLoraModel(m)).toBeUndefined();
    const lm = injectLora(m, { targetModules: /transformer\.h\.\d+\.attn\.c_.*/ });
    expect(lm.adapter().layers).toEqual(['transformer.h.0.attn.c_attn', 'transformer.h.0.attn.c_proj']);
    expect(lm.adapter().config.fanInFanOut).toBe(true); // read from the Conv1D layout
    lm.unload();
    m.dispose();
  });

  it('reports trainable parameters like print_trainable_parameters', () => {
    const m = new ToyModel();
    const lm = injectLora(m, { r: 2, targetModules: ['c_attn'] });
    // c_attn: A [8, 2] + B [2, 16] = 48; base = 16*8 + 8 + (8*16+16) + (16*8+8) + 8*24 + 24*8 + 8*16
    const base = 128 + 8 + 144 + 136 + 192 + 192 + 128;
    expect(lm.parameterReport()).toEqual({ trainable: 48, total: base + 48, percent: (100 * 48) / (base + 48) });
    expect(printTrainableParameters(lm)).toBe(`trainable params: 48 || all params: ${(base + 48).toLocaleString('en-US')} || trainable%: ${((100 * 48) / (base + 48)).toFixed(4)}`);
    lm.unload();
    m.dispose();
  });
});

describe('training, merge, unmerge', () => {
  it('trains only A and B: base weights bit-identical, loss falls, merged == unmerged (1e-5), unmerge restores exactly', () => {
    const m = new ToyModel();
    const base = m.snapshot();
    const before = logits(m);
    const lm = injectLora(m, { r: 4, loraAlpha: 8, targetModules: 'all-linear' }, { seed: 1 });
    const tensors0 = tf.memory().numTensors;
    const losses = fit(lm.trainableVariables(), () => m.loss(IDS, TARGETS, true), 40);
    expect(tf.memory().numTensors).toBe(tensors0);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5);
    for (const [n, v] of m.snapshot()) expect(bitsEqual(v, base.get(n)!), n).toBe(true);

    const unmerged = logits(m);
    expect(maxAbsDiff(unmerged, before)).toBeGreaterThan(1e-2);
    expect(m.layer('c_attn').adapter).toBe(lm.loraLayers().get('transformer.h.0.attn.c_attn'));
    mergeLora(lm);
    expect(lm.mergedAdapters).toEqual(['default']);
    expect(m.layers.every((l) => l.adapter === undefined)).toBe(true); // merged layers run as plain layers
    expect(bitsEqual(m.snapshot().get('transformer.h.0.attn.c_attn.weight')!, base.get('transformer.h.0.attn.c_attn.weight')!)).toBe(false);
    expect(allClose(logits(m), unmerged)).toBe(true);
    unmergeLora(lm);
    for (const [n, v] of m.snapshot()) expect(bitsEqual(v, base.get(n)!), n).toBe(true);
    expect(maxAbsDiff(logits(m), unmerged)).toBe(0);
    expect(m.layer('up_proj').adapter).toBeDefined();

    // disableAdapters: the base model inside, the adapter after (also when merged); verbs take the model too
    expect(disableAdapters(m, () => bitsEqual(logits(m), before))).toBe(true);
    mergeLora(m);
    unmergeLora(m);
    mergeLora(lm);
    const inside = disableAdapters(lm, () => logits(m));
    expect(bitsEqual(inside, before)).toBe(true);
    expect(lm.mergedAdapters).toEqual(['default']);
    expect(allClose(logits(m), unmerged)).toBe(true);
    expect(() => disableAdapters(lm, () => { throw new Error('boom'); })).toThrow('boom');
    expect(lm.mergedAdapters).toEqual(['default']);

    const plain = mergeAndUnload(lm);
    expect(plain).toBe(m);
    expect(m.layers.every((l) => l.adapter === undefined)).toBe(true);
    expect(allClose(logits(m), unmerged)).toBe(true);
    expect(m.trainableVariables().size).toBe(m.parameters().size); // trainability as before injection
    expect(() => lm.merge()).toThrow(StateError);
    expect(() => mergeLora(m)).toThrow(/no LoRA adapters/);
    m.dispose();
  });

  it('async disableAdapters restores after the promise settles', async () => {
    const m = new ToyModel();
    const before = logits(m);
    const lm = injectLora(m, { targetModules: ['up_proj'], initLoraWeights: false });
    const adapted = logits(m);
    const inside = await disableAdapters(lm, async () => {
      await new Promise((r) => setTimeout(r, 1));
      return logits(m);
    });
    expect(bitsEqual(inside, before)).toBe(true);
    expect(bitsEqual(logits(m), adapted)).toBe(true);
    lm.unload();
    m.dispose();
  });

  it('merging refuses non-finite updates and changes nothing', () => {
    const m = new ToyModel();
    const lm = injectLora(m, { targetModules: ['c_attn', 'up_proj'], initLoraWeights: false });
    const base = m.snapshot();
    const w = lm.loraLayers().get('transformer.h.0.mlp.up_proj')!.adapters.get('default')!;
    const b = w.b.dataSync().slice() as Float32Array;
    b[3] = Number.NaN;
    w.b.assign(tf.tensor2d(b, w.b.shape as [number, number]));
    expect(() => mergeLora(lm)).toThrow(/up_proj.*non-finite/);
    expect(lm.mergedAdapters).toEqual([]);
    for (const [n, v] of m.snapshot()) expect(bitsEqual(v, base.get(n)!), n).toBe(true);
    lm.unload();
    m.dispose();
  });

  it('rsLoRA scales the update by alpha/sqrt(r); dropout is seeded and only in training', () => {
    const run = (useRslora: boolean) => {
      const m = new ToyModel();
      const before = logits(m);
      const lm = injectLora(m, { r: 4, loraAlpha: 4, useRslora, targetModules: ['lm_head'], initLoraWeights: false }, { seed: 5 });
      const d = logits(m).map((v, i) => v - before[i]!);
      lm.unload();
      m.dispose();
      return d;
    };
    const plain = run(false);
    const rs = run(true);
    for (let i = 0; i < plain.length; i++) expect(rs[i]!).toBeCloseTo(plain[i]! * 2, 4); // (4/2) / (4/4)

    const mk = () => {
      const m = new ToyModel();
      const lm = injectLora(m, { r: 2, loraDropout: 0.5, targetModules: ['lm_head'], initLoraWeights: false }, { seed: 7 });
      return { m, lm };
    };
    const x = mk();
    const y = mk();
    const t1 = logits(x.m, true);
    expect(bitsEqual(t1, logits(y.m, true))).toBe(true);
    expect(bitsEqual(logits(x.m, false), logits(x.m, false))).toBe(true);
    expect(bitsEqual(t1, logits(x.m, false))).toBe(false);
    x.lm.unload(); y.lm.unload(); x.m.dispose(); y.m.dispose();
  });
});

describe('several adapters, modulesToSave, bias', () => {
  it('switches adapters with setAdapter; modulesToSave train a copy and the original comes back', () => {
    const m = new ToyModel();
    const before = logits(m);
    const headBase = m.snapshot().get('lm_head.weight')!;
    const lm = injectLora(m, { r: 2, targetModules: ['c_attn'], modulesToSave: ['lm_head'] }, { adapterName: 'a', seed: 1 });
    expect([...m.trainableVariables().keys()]).toEqual(['lm_head.weight']);
    fit(lm.trainableVariables(), () => m.loss(IDS, TARGETS, true), 15);
    const outA = logits(m);
    const headA = m.snapshot().get('lm_head.weight')!;
    expect(bitsEqual(headA, headBase)).toBe(false);

    injectLora(m, { r: 3, targetModules: ['up_proj'] }, { adapterName: 'b', seed: 2 });
    expect(lm.activeAdapter).toBe('a'); // a new adapter is not activated
    expect(bitsEqual(logits(m), outA)).toBe(true);
    setAdapter(lm, 'b');
    expect(bitsEqual(m.snapshot().get('lm_head.weight')!, headBase)).toBe(true); // b has no lm_head copy
    expect([...lm.trainableVariables().keys()].every((k) => k.includes('.b.weight'))).toBe(true);
    expect(bitsEqual(logits(m), before)).toBe(true); // b is fresh (B = 0)
    fit(lm.trainableVariables(), () => m.loss(IDS, TARGETS, true), 10);
    const outB = logits(m);
    setAdapter(lm, 'a');
    expect(bitsEqual(logits(m), outA)).toBe(true);
    expect(disableAdapters(lm, () => bitsEqual(logits(m), before))).toBe(true);
    expect(bitsEqual(m.snapshot().get('lm_head.weight')!, headA)).toBe(true);
    setAdapter(lm, 'b');
    expect(bitsEqual(logits(m), outB)).toBe(true);
    expect(() => setAdapter(lm, 'c')).toThrow(/no adapter named 'c'/);
    expect(() => injectLora(m, {}, { adapterName: 'a' })).toThrow(/already in use/);
    lm.deleteAdapter('a');
    expect(lm.adapterNames).toEqual(['b']);
    lm.unload();
    expect(bitsEqual(logits(m), before)).toBe(true);
    m.dispose();
  });

  it("bias 'lora_only' trains the adapted layers' biases; 'all' every bias", () => {
    const m = new ToyModel();
    const lm = injectLora(m, { targetModules: ['c_attn'], bias: 'lora_only' });
    expect([...m.trainableVariables().keys()]).toEqual(['transformer.h.0.attn.c_attn.bias']);
    lm.unload();
    const lm2 = injectLora(m, { targetModules: ['c_attn'], bias: 'all' });
    expect([...m.trainableVariables().keys()]).toEqual(['transformer.h.0.attn.c_attn.bias', 'transformer.h.0.attn.c_proj.bias']);
    lm2.unload();
    m.dispose();
  });
});

afterAll(() => {
  new Rng(0); // keep the import used in this file's helpers
});

describe('gradient of the LoRA product', () => {
  it('matches autodiff of the plain ops (x, A and B)', () => {
    const m = new ToyModel();
    const lm = injectLora(m, { r: 3, loraAlpha: 6, targetModules: ['up_proj'], initLoraWeights: false }, { seed: 2 });
    const layer = lm.loraLayers().get('transformer.h.0.mlp.up_proj')!;
    const w = layer.adapters.get('default')!;
    const rng = new Rng(4);
    const x = tf.tensor2d(Float32Array.from({ length: 5 * 8 }, () => rng.normal()), [5, 8]);
    const g = tf.tensor2d(Float32Array.from({ length: 5 * 24 }, () => rng.normal()), [5, 24]);
    const base = tf.zeros([5, 24]) as tf.Tensor2D;
    const ours = tf.grads((xx: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => {
      // route through apply with the adapter's own variables replaced by the traced inputs
      const saved = { a: w.a, b: w.b };
      (w as { a: tf.Tensor }).a = a;
      (w as { b: tf.Tensor }).b = b;
      try {
        return tf.sum(tf.mul(layer.apply(xx as tf.Tensor2D, base, true), g));
      } finally {
        (w as { a: tf.Tensor }).a = saved.a;
        (w as { b: tf.Tensor }).b = saved.b;
      }
    })([x, w.a, w.b]);
    const ref = tf.grads((xx: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.mul(tf.matMul(tf.matMul(xx, a), b), 2), g)))([x, w.a, w.b]);
    for (let i = 0; i < 3; i++) {
      const d = tf.max(tf.abs(tf.sub(ours[i]!, ref[i]!))).dataSync()[0]!;
      expect(d).toBeLessThan(1e-4);
      expect(tf.max(tf.abs(ref[i]!)).dataSync()[0]!).toBeGreaterThan(1e-2);
    }
    lm.unload();
    m.dispose();
  });
});
