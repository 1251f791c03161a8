import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, StateError } from '@xrec/core';
import { initBackend } from './backend.js';
import { AdamW, clipByGlobalNorm, clipCoefficient, defaultDecayFilter, globalNorm } from './optim.js';

beforeAll(async () => {
  await initBackend();
});

/** Plain float64 AdamW (PyTorch's algorithm) for one array, used as the known answer. */
function refAdamW(p0: number[], grads: number[][], lrs: number[], b1: number, b2: number, eps: number, wd: number): number[] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g, i) => {
    const t = i + 1;
    const lr = lrs[i]!;
    for (let j = 0; j < p.length; j++) {
      p[j]! *= 1 - lr * wd;
      m[j] = b1 * m[j]! + (1 - b1) * g[j]!;
      v[j] = b2 * v[j]! + (1 - b2) * g[j]! * g[j]!;
      const denom = Math.sqrt(v[j]!) / Math.sqrt(1 - b2 ** t) + eps;
      p[j]! -= (lr / (1 - b1 ** t)) * m[j]! / denom;
    }
  });
  return p;
}

describe('AdamW', () => {
  it.each([true, false])('matches a float64 reference of PyTorch AdamW over several steps, with and without decay (fused: %s)', (fused) => {
    const w0 = [0.5, -1.25, 2, 0.1, -0.3, 0.7];
    const b0 = [0.2, -0.4];
    const w = tf.variable(tf.tensor2d(w0, [3, 2]), true, 'ref_w');
    const b = tf.variable(tf.tensor1d(b0), true, 'ref_b');
    const opt = new AdamW(new Map<string, tf.Variable>([['layer.weight', w], ['layer.bias', b]]), { beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.1 });
    opt.setFused(fused);
    expect(opt.decays('layer.weight')).toBe(true);
    expect(opt.decays('layer.bias')).toBe(false);
    const gw = [[0.1, -0.2, 0.3, 0.05, -0.5, 1], [0.2, 0.1, -0.1, 0.3, 0.2, -0.4], [-0.3, 0.4, 0.0, 0.1, 0.05, 0.2]];
    const gb = [[1, -1], [0.5, 0.25], [-0.2, 0.1]];
    const lrs = [0.1, 0.05, 0.02];
    for (let i = 0; i < 3; i++) {
      opt.applyGradients(new Map<string, tf.Tensor>([['layer.weight', tf.tensor2d(gw[i]!, [3, 2])], ['layer.bias', tf.tensor1d(gb[i]!)]]), lrs[i]!);
    }
    const expW = refAdamW(w0, gw, lrs, 0.8, 0.95, 1e-6, 0.1);
    const expB = refAdamW(b0, gb, lrs, 0.8, 0.95, 1e-6, 0);
    const gotW = Array.from(w.dataSync());
    const gotB = Array.from(b.dataSync());
    gotW.forEach((x, i) => expect(x).toBeCloseTo(expW[i]!, 5));
    gotB.forEach((x, i) => expect(x).toBeCloseTo(expB[i]!, 5));
    expect(opt.step).toBe(3);
    opt.dispose();
    w.dispose();
    b.dispose();
  });

  it('keeps slots by name: state round-trips and unknown names are rejected', async () => {
    const a = tf.variable(tf.ones([2, 2]), true, 'slot_a');
    const c = tf.variable(tf.ones([3]), true, 'slot_c');
    const opt = new AdamW(new Map([['a', a], ['c', c]]));
    opt.applyGradients(new Map([['c', tf.tensor1d([1, 2, 3])]]), 0.01);
    // a had no gradient: untouched, slots zero.
    expect(Array.from(a.dataSync())).toEqual([1, 1, 1, 1]);
    expect(Array.from(opt.slotsOf('a')!.m.dataSync())).toEqual([0, 0, 0, 0]);
    const st = await opt.getState();
    expect(st.step).toBe(1);
    expect(Array.from(st.slots.get('c')!.m)).toEqual([Math.fround(0.1), Math.fround(0.2), Math.fround(0.3)].map((x) => expect.closeTo(x, 6)));
    const opt2 = new AdamW(new Map([['a', a], ['c', c]]));
    opt2.setState(st.step, st.slots);
    expect(opt2.step).toBe(1);
    expect(Array.from(opt2.slotsOf('c')!.v.dataSync())).toEqual(Array.from(st.slots.get('c')!.v));
    expect(() => opt.applyGradients(new Map([['zzz', tf.ones([1])]]), 0.1)).toThrow(StateError);
    expect(() => opt2.setState(1, new Map([...st.slots, ['zzz', { m: new Float32Array(1), v: new Float32Array(1) }]]))).toThrow(/zzz/);
    expect(() => opt.applyGradients(new Map([['a', tf.ones([4])]]), 0.1)).toThrow(/shape/);
    opt.dispose();
    opt2.dispose();
    a.dispose();
    c.dispose();
  });

  it('default decay filter spares biases, norms and embeddings', () => {
    const m2 = tf.variable(tf.zeros([2, 2]), true, 'f_m2');
    const m1 = tf.variable(tf.zeros([2]), true, 'f_m1');
    expect(defaultDecayFilter('transformer.h.0.attn.c_attn.weight', m2)).toBe(true);
    expect(defaultDecayFilter('model.layers.0.mlp.gate_proj.weight', m2)).toBe(true);
    expect(defaultDecayFilter('lm_head.weight', m2)).toBe(true);
    expect(defaultDecayFilter('transformer.wte.weight', m2)).toBe(false);
    expect(defaultDecayFilter('transformer.wpe.weight', m2)).toBe(false);
    expect(defaultDecayFilter('model.embed_tokens.weight', m2)).toBe(false);
    expect(defaultDecayFilter('transformer.h.0.ln_1.weight', m1)).toBe(false);
    expect(defaultDecayFilter('model.layers.0.input_layernorm.weight', m1)).toBe(false);
    expect(defaultDecayFilter('transformer.h.0.attn.c_attn.bias', m1)).toBe(false);
    m2.dispose();
    m1.dispose();
  });

  it('validates its config', () => {
    const a = tf.variable(tf.ones([1]), true, 'cfg_a');
    expect(() => new AdamW(new Map([['a', a]]), { beta1: 1 })).toThrow(ConfigError);
    expect(() => new AdamW(new Map([['a', a]]), { eps: 0 })).toThrow(/eps/);
    expect(() => new AdamW(new Map())).toThrow(/empty/);
    a.dispose();
  });
});

describe('clipByGlobalNorm', () => {
  it('computes the global norm and scales to maxNorm only when above it', () => {
    const g = new Map<string, tf.Tensor>([['x', tf.tensor1d([3, 0])], ['y', tf.tensor2d([[0, 4]])]]);
    tf.tidy(() => {
      const big = clipByGlobalNorm(g, 1);
      expect(big.norm.dataSync()[0]).toBeCloseTo(5, 5);
      expect(Array.from(big.grads.get('x')!.dataSync())).toEqual([expect.closeTo(0.6, 5), 0]);
      expect(Array.from(big.grads.get('y')!.dataSync())).toEqual([0, expect.closeTo(0.8, 5)]);
      const small = clipByGlobalNorm(g, 10);
      expect(Array.from(small.grads.get('y')!.dataSync())).toEqual([0, expect.closeTo(4, 5)]);
      const off = clipByGlobalNorm(new Map([['x', g.get('x')!], ['n', null]]), 0);
      expect(off.grads.size).toBe(1);
      expect(off.norm.dataSync()[0]).toBeCloseTo(3, 5);
    });
    for (const t of g.values()) t.dispose();
  });
});

describe('AdamW + clipByGlobalNorm against PyTorch', () => {
  it.each([['fused kernel', true], ['tfjs ops', false]] as const)('reproduces torch.optim.AdamW with clip_grad_norm_ over 5 steps (%s; test/fixtures/adamw-torch.json)', (_label, fused) => {
    const fx = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'test', 'fixtures', 'adamw-torch.json'), 'utf8')) as {
      betas: [number, number]; eps: number; weight_decay: number; clip_norm: number; lrs: number[]; w0: number[]; b0: number[];
      w_shape: [number, number]; grads: { w: number[]; b: number[] }[]; norms: number[]; w: number[]; b: number[];
    };
    const w = tf.variable(tf.tensor2d(fx.w0, fx.w_shape), true, 'torch_w');
    const b = tf.variable(tf.tensor1d(fx.b0), true, 'torch_b');
    const opt = new AdamW(new Map<string, tf.Variable>([['fc.weight', w], ['fc.bias', b]]), { beta1: fx.betas[0], beta2: fx.betas[1], eps: fx.eps, weightDecay: fx.weight_decay });
    opt.setFused(fused);
    fx.grads.forEach((g, i) => {
      tf.tidy(() => {
        const grads = new Map<string, tf.Tensor>([['fc.weight', tf.tensor2d(g.w, fx.w_shape)], ['fc.bias', tf.tensor1d(g.b)]]);
        const norm = globalNorm(grads);
        expect(norm.dataSync()[0]).toBeCloseTo(fx.norms[i]!, 5);
        if (i % 2 === 0) opt.applyGradients(grads, fx.lrs[i]!, clipCoefficient(norm, fx.clip_norm));
        else opt.applyGradients(clipByGlobalNorm(grads, fx.clip_norm).grads, fx.lrs[i]!);
      });
    });
    Array.from(w.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(fx.w[i]!, 5));
    Array.from(b.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(fx.b[i]!, 5));
    opt.dispose();
    w.dispose();
    b.dispose();
  });
});
