#!/usr/bin/env node
// Model-side speed measurements for @xrec/transformer (run after `npx tsc -p tsconfig.build.json`):
//   node scripts/model-speed.mjs train [--arch gpt2] [--steps 8] [--attention auto|batched]   training step of the bench config
//   node scripts/model-speed.mjs generate                            20-token generation, batch 1 / 64, cache on/off
// Training step = forward + mean CE over all B*T positions + backward + Adam update + reading the loss back.
// Prints one JSON object per measurement (median over timed steps after 2 warm-up steps). On a shared machine
// the process CPU time per step (tokens_per_cpu_s) is the steadier number for this single-threaded backend.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { initBackend, resolveTransformerConfig, TransformerLM } from '../dist/index.js';
import { DECODER } from '../dist/decoder.js';

const args = process.argv.slice(2);
const mode = args[0] ?? 'train';
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const report = await initBackend();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const arch = opt('arch', 'gpt2');
const V = Number(opt('vocab', 8000));
const T = Number(opt('seq', 64));
const B = Number(opt('batch', 16));
const cfg = resolveTransformerConfig({ arch, vocabSize: V, contextLength: Math.max(T, 128), dModel: 128, nHeads: 4, nLayers: 2, dropout: 0 });
const model = TransformerLM.create(cfg, new Rng(0));
const attentionMode = opt('attention', 'auto');
model[DECODER]().setAttentionMode(attentionMode);
const rng = new Rng(1);

if (mode === 'train') {
  const steps = Number(opt('steps', 8));
  const optimizer = tf.train.adam(3e-4);
  const vars = [...model.trainableVariables().values()];
  const times = [];
  const fwdMs = [];
  const cpuMs = [];
  for (let s = 0; s < steps + 2; s++) {
    const toks = Array.from({ length: B * (T + 1) }, () => rng.int(0, V - 1));
    const x = tf.tensor2d(toks.filter((_, i) => i % (T + 1) !== T), [B, T], 'int32');
    const y = tf.tensor2d(toks.filter((_, i) => i % (T + 1) !== 0), [B, T], 'int32');
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const loss = optimizer.minimize(() => model.loss({ ids: x, labels: y, training: true }), true, vars);
    loss.dataSync();
    const dt = performance.now() - t0;
    const cu = process.cpuUsage(c0);
    const cdt = (cu.user + cu.system) / 1000;
    const f0 = performance.now();
    tf.tidy(() => model.loss({ ids: x, labels: y }).dataSync());
    const fdt = performance.now() - f0;
    if (s >= 2) {
      times.push(dt);
      cpuMs.push(cdt);
      fwdMs.push(fdt);
    }
    tf.dispose([x, y, loss]);
  }
  const med = median(times);
  console.log(JSON.stringify({ what: 'train-step', backend: report.choice, attention: attentionMode, arch, vocab: V, d: 128, heads: 4, layers: 2, seq: T, batch: B,
    tokens_per_s: Math.round((B * T) / (med / 1000)), step_ms_median: Math.round(med), step_cpu_ms_median: Math.round(median(cpuMs)),
    tokens_per_cpu_s: Math.round((B * T) / (median(cpuMs) / 1000)), forward_loss_ms_median: Math.round(median(fwdMs)),
    step_ms: times.map(Math.round), numTensors: tf.memory().numTensors }));
} else {
  for (const batch of [1, 64]) {
    for (const useCache of [true, false]) {
      const prompts = Array.from({ length: batch }, () => Array.from({ length: 16 }, () => rng.int(0, V - 1)));
      const times = [];
      for (let r = 0; r < 3; r++) {
        const t0 = performance.now();
        model.generate({ prompts, maxNewTokens: 20, greedy: true, useCache });
        times.push(performance.now() - t0);
      }
      const med = median(times.slice(1));
      console.log(JSON.stringify({ what: 'generate-20', backend: report.choice, arch, batch, useCache, prompt_len: 16,
        ms_median: Math.round(med), tokens_per_s: Math.round((batch * 20) / (med / 1000)), sequences_per_s: +(batch / (med / 1000)).toFixed(2) }));
    }
  }
}
