#!/usr/bin/env node
// Per-kernel time of one training update of the bench config (run after `npx tsc -p tsconfig.build.json`):
//   node scripts/kernel-profile.mjs [--arch gpt2] [--steps 4] [--top 30]
// Wraps every kernel registered for the active backend (wasm kernels are synchronous, so wall time around
// the kernel function is its cost), runs the shared trainer's update (variableGrads, clipping, AdamW) and
// prints the mean ms per step by kernel name and input shapes, plus the time outside kernels.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { AdamW, initBackend, resolveTransformerConfig, TransformerLM } from '../dist/index.js';
import { clipCoefficient, globalNorm } from '../dist/optim.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const report = await initBackend();
const arch = opt('arch', 'gpt2');
const V = Number(opt('vocab', 8000));
const T = Number(opt('seq', 64));
const B = Number(opt('batch', 16));
const steps = Number(opt('steps', 4));
const top = Number(opt('top', 30));
const cfg = resolveTransformerConfig({ arch, vocabSize: V, contextLength: T, dModel: Number(opt('d-model', 128)), nHeads: Number(opt('heads', 4)), nLayers: Number(opt('layers', 2)), dropout: 0 });
const model = TransformerLM.create(cfg, new Rng(0));
const vars = model.trainableVariables();
const opt_ = new AdamW(vars, { weightDecay: 0.01 });
const rng = new Rng(1);

function step() {
  const toks = Array.from({ length: B * (T + 1) }, () => rng.int(0, V - 1));
  const x = tf.tensor2d(toks.filter((_, i) => i % (T + 1) !== T), [B, T], 'int32');
  const y = tf.tensor2d(toks.filter((_, i) => i % (T + 1) !== 0), [B, T], 'int32');
  const loss = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => model.loss({ ids: x, labels: y, training: true }), [...vars.values()]);
    const named = new Map([...vars].map(([n, v]) => [n, grads[v.name]]));
    const norm = globalNorm(named);
    opt_.applyGradients(named, 3e-4, clipCoefficient(norm, 1));
    return value;
  });
  loss.dataSync();
  tf.dispose([x, y, loss]);
}
// Warm-up first, so that kernels registered lazily (AdamW, Σg²) exist when the wrappers are installed.
for (let i = 0; i < 2; i++) step();
const stats = new Map();
let on = false;
const backendName = tf.getBackend();
for (const k of tf.getKernelsForBackend(backendName)) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, backendName);
  tf.registerKernel({ ...k, kernelFunc: (a) => {
    if (!on) return f(a);
    const t0 = performance.now();
    const r = f(a);
    const dt = performance.now() - t0;
    const shapes = Object.values(a.inputs).filter(Boolean).map((t) => `[${t.shape.join(',')}]`).join(' ');
    const key = `${k.kernelName} ${shapes}`;
    const s = stats.get(key) ?? { ms: 0, n: 0 };
    s.ms += dt;
    s.n += 1;
    stats.set(key, s);
    return r;
  } });
}

on = true;
let wall = 0;
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  step();
  wall += performance.now() - t0;
}
const rows = [...stats].map(([k, s]) => ({ k, ms: s.ms / steps, n: s.n / steps })).sort((a, b) => b.ms - a.ms);
const inKernels = rows.reduce((a, r) => a + r.ms, 0);
console.log(`backend ${report.choice}, arch ${arch}: step ${(wall / steps).toFixed(1)} ms, in kernels ${inKernels.toFixed(1)} ms, outside ${(wall / steps - inKernels).toFixed(1)} ms`);
const byName = new Map();
for (const r of rows) { const n = r.k.split(' ')[0]; byName.set(n, (byName.get(n) ?? 0) + r.ms); }
console.log('by kernel:', [...byName].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(', '));
for (const r of rows.slice(0, top)) console.log(`${r.ms.toFixed(2).padStart(8)} ms  x${r.n}  ${r.k}`);
