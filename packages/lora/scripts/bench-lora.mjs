#!/usr/bin/env node
// LoRA benchmark (not a test). Build first: (cd packages/core && npx tsc -p tsconfig.build.json);
// (cd packages/transformer && npx tsc -p tsconfig.build.json); (cd packages/lora && npx tsc -p tsconfig.build.json)
//   node scripts/bench-lora.mjs [--train-rounds 4] [--steps-per-round 3] [--gen-rounds 7] [--out results/bench-lora.json]
//
// For each model (stories260K, the pretrained llama2.c checkpoint; a GPT-2 of ~6M parameters) on the same
// seeded token windows:
//   1. training step time (median, interleaved rounds) of full fine-tuning vs LoRA (r 8, alpha 16, peft's
//      default targets), both through the shared trainer (AdamW, clip 1);
//   2. memory: persistent bytes (weights + trainable set + AdamW's two slots per trainable value) and the
//      peak of tfjs-tracked tensor bytes during training steps (tf.profile), above what was allocated before;
//   3. generation speed (greedy, batch 1, KV cache) of the base model, the model with the adapter unmerged,
//      merged in place (mergeLora) and after mergeAndUnload: merged must cost nothing extra.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { initBackend, loadLlama2c, resolveTransformerConfig, train, TransformerLM } from '@xrec/transformer';
import { injectLora, mergeLora } from '../dist/index.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const TRAIN_ROUNDS = Number(opt('train-rounds', 4));
const STEPS_PER_ROUND = Number(opt('steps-per-round', 3));
const B = Number(opt('batch', 16));
const T = Number(opt('seq', 64));
const GEN_TOKENS = Number(opt('gen-tokens', 64));
const GEN_ROUNDS = Number(opt('gen-rounds', 7));
const OUT = opt('out', join(import.meta.dirname, '..', 'results', 'bench-lora.json'));
const SEED = 0;
const backend = await initBackend();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const stories = join(import.meta.dirname, '..', '..', 'transformer', 'test', 'fixtures', 'stories260K.bin');

/** Seeded token windows of T+1 ids: the same data for every method. */
function windows(vocab, n) {
  const rng = new Rng(SEED).fork('data');
  return Array.from({ length: n }, () => Int32Array.from({ length: T + 1 }, () => rng.int(3, vocab - 1)));
}
function batches(ws) {
  const out = [];
  for (let i = 0; i + B <= ws.length; i += B) out.push({ size: B, tokens: B * T, rows: ws.slice(i, i + B) });
  return out;
}
function lossOf(model, b, training) {
  const ids = tf.tensor2d(b.rows.map((r) => Array.from(r.subarray(0, T))), [b.size, T], 'int32');
  const labels = tf.tensor2d(b.rows.map((r) => Array.from(r.subarray(1))), [b.size, T], 'int32');
  return model.loss({ ids, labels, training });
}
const bytesOf = (vars) => [...new Set(vars.values())].reduce((s, v) => s + v.size * 4, 0);

/** CPU seconds (user + system) of this process: unlike wall time, barely affected by other processes (tfjs wasm runs on one thread). */
function cpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function trainRun(model, variables, bs) {
  const seconds = [];
  const c0 = cpuSeconds();
  const t0 = performance.now();
  await train({
    variables,
    lossFn: (b, training) => lossOf(model, b, training),
    trainBatches: () => bs,
    config: { epochs: 1, lr: 1e-3, weightDecay: 0, schedule: 'constant', clipNorm: 1, seed: SEED },
    onStep: (s) => seconds.push(s.seconds),
  });
  return { seconds, wall: (performance.now() - t0) / 1000, cpuPerStep: (cpuSeconds() - c0) / bs.length };
}

/** A model prepared for one method: full fine-tuning (every parameter) or LoRA (r 8, alpha 16, default targets). */
async function prepare(makeModel, method) {
  const model = await makeModel();
  const weightsBytes = bytesOf(model.parameters());
  const lora = method === 'lora' ? injectLora(model, { r: 8, loraAlpha: 16 }, { seed: SEED }) : undefined;
  const variables = lora ? lora.trainableVariables() : model.trainableVariables();
  return { method, model, lora, variables, weightsBytes, trainableBytes: bytesOf(variables) };
}

/**
 * Step times of both methods measured interleaved (TRAIN_ROUNDS rounds of STEPS_PER_ROUND updates each,
 * the first update of every round dropped as warm-up), so load from other processes hits both alike;
 * then the peak of tracked tensor bytes over two updates per method (deterministic).
 */
async function measureTraining(makeModel) {
  const runs = [await prepare(makeModel, 'full'), await prepare(makeModel, 'lora')];
  const bs = batches(windows(runs[0].model.config.vocabSize, B * STEPS_PER_ROUND));
  const seconds = { full: [], lora: [] };
  const cpu = { full: [], lora: [] };
  for (let r = 0; r < TRAIN_ROUNDS; r++) {
    for (const run of r % 2 === 0 ? runs : [...runs].reverse()) {
      const t = await trainRun(run.model, run.variables, bs);
      seconds[run.method].push(...t.seconds.slice(1));
      cpu[run.method].push(t.cpuPerStep);
    }
  }
  const out = {};
  for (const run of runs) {
    const before = tf.memory().numBytes;
    const prof = await tf.profile(() => trainRun(run.model, run.variables, bs.slice(0, 2)).then(() => undefined));
    const step = median(seconds[run.method]);
    out[run.method] = {
      trainableParams: run.trainableBytes / 4,
      totalParams: run.weightsBytes / 4 + (run.lora ? run.trainableBytes / 4 : 0),
      trainablePercent: run.lora ? run.lora.parameterReport().percent : 100,
      stepSecondsMedian: step,
      stepCpuSecondsMedian: median(cpu[run.method]),
      stepSeconds: seconds[run.method].map((x) => Number(x.toFixed(4))),
      tokensPerSecond: (B * T) / step,
      persistentBytes: run.weightsBytes + (run.lora ? run.trainableBytes : 0) + 2 * run.trainableBytes, // weights (+ adapters) + AdamW m, v
      peakStepBytesAboveStart: prof.peakBytes - before,
    };
    run.lora?.unload();
    run.model.dispose();
  }
  return out;
}

function genOnce(model, prompt) {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const tokens = model.generate({ prompts: [prompt], maxNewTokens: GEN_TOKENS, greedy: true })[0];
  return { seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0, tokens };
}

/**
 * Four copies of the same base weights: plain, adapter unmerged, adapter merged in place, mergeAndUnload.
 * Measured interleaved (round-robin, GEN_ROUNDS rounds) so load from other processes hits all alike; medians.
 */
async function measureGeneration(makeModel) {
  const base = await makeModel();
  const prompt = Array.from(windows(base.config.vocabSize, 1)[0].subarray(0, 8));
  const withAdapter = async () => {
    const m = await makeModel();
    // A trained-looking adapter: random B (initLoraWeights false), so the unmerged path does real work.
    return { m, lora: injectLora(m, { r: 8, loraAlpha: 16, initLoraWeights: false }, { seed: SEED }) };
  };
  const un = await withAdapter();
  const me = await withAdapter();
  mergeLora(me.lora);
  const ul = await withAdapter();
  const plain = ul.lora.mergeAndUnload();
  const variants = { base, unmerged: un.m, merged: me.m, mergeAndUnload: plain };
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const cpus_ = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const tokens = {};
  for (const m of Object.values(variants)) m.generate({ prompts: [prompt], maxNewTokens: 4, greedy: true }); // warm-up
  const order = Object.entries(variants);
  for (let r = 0; r < GEN_ROUNDS; r++) {
    for (let j = 0; j < order.length; j++) {
      const [k, m] = order[(j + r) % order.length]; // rotate who goes first
      const g = genOnce(m, prompt);
      times[k].push(g.seconds);
      cpus_[k].push(g.cpu);
      tokens[k] = g.tokens;
    }
  }
  const tps = Object.fromEntries(Object.entries(times).map(([k, ts]) => [k, GEN_TOKENS / median(ts)]));
  const cpuTps = Object.fromEntries(Object.entries(cpus_).map(([k, ts]) => [k, GEN_TOKENS / median(ts)]));
  // Load-independent cost: tfjs kernels launched by one 16-token generation (same count = same work).
  const kernels = {};
  for (const [k, m] of Object.entries(variants)) {
    const p = await tf.profile(() => {
      m.generate({ prompts: [prompt], maxNewTokens: 16, greedy: true });
    });
    kernels[k] = p.kernels.length;
  }
  for (const m of Object.values(variants)) m.dispose();
  return {
    baseTokensPerSecond: tps.base,
    unmergedTokensPerSecond: tps.unmerged,
    mergedTokensPerSecond: tps.merged,
    mergeAndUnloadTokensPerSecond: tps.mergeAndUnload,
    mergedOverBase: tps.merged / tps.base,
    mergeAndUnloadOverBase: tps.mergeAndUnload / tps.base,
    unmergedOverBase: tps.unmerged / tps.base,
    tokensPerCpuSecond: cpuTps,
    mergedOverBaseCpu: cpuTps.merged / cpuTps.base,
    mergeAndUnloadOverBaseCpu: cpuTps.mergeAndUnload / cpuTps.base,
    unmergedOverBaseCpu: cpuTps.unmerged / cpuTps.base,
    mergedTokensEqualUnmerged: JSON.stringify(tokens.merged) === JSON.stringify(tokens.unmerged),
    kernelsPer16TokenGeneration: kernels,
    seconds: Object.fromEntries(Object.entries(times).map(([k, ts]) => [k, ts.map((s) => Number(s.toFixed(4)))])),
  };
}

const gpt2Config = resolveTransformerConfig({ arch: 'gpt2', vocabSize: 8000, contextLength: 128, dModel: 256, nLayers: 4, nHeads: 4, nKvHeads: 4, dFF: 1024, dropout: 0 });
const models = [];
if (existsSync(stories)) models.push({ name: 'stories260K (llama, pretrained)', make: () => loadLlama2c(stories) });
else console.error(`stories260K not found at ${stories}; skipping it`);
models.push({ name: 'gpt2 d256 L4 V8000 (random init)', config: gpt2Config, make: () => TransformerLM.create(gpt2Config, new Rng(SEED)) });

const results = [];
for (const m of models) {
  const { full, lora } = await measureTraining(m.make);
  const gen = await measureGeneration(m.make);
  const r = {
    model: m.name,
    config: (await (async () => { const x = await m.make(); const c = x.config; x.dispose(); return c; })()),
    training: { full, lora, loraStepOverFull: lora.stepSecondsMedian / full.stepSecondsMedian, loraStepCpuOverFull: lora.stepCpuSecondsMedian / full.stepCpuSecondsMedian, loraPersistentOverFull: lora.persistentBytes / full.persistentBytes, loraPeakOverFull: lora.peakStepBytesAboveStart / full.peakStepBytesAboveStart },
    generation: gen,
  };
  results.push(r);
  console.log(JSON.stringify({
    model: r.model,
    fullStepMs: +(full.stepSecondsMedian * 1000).toFixed(1),
    loraStepMs: +(lora.stepSecondsMedian * 1000).toFixed(1),
    fullStepCpuMs: +(full.stepCpuSecondsMedian * 1000).toFixed(1),
    loraStepCpuMs: +(lora.stepCpuSecondsMedian * 1000).toFixed(1),
    loraTrainablePercent: +lora.trainablePercent.toFixed(3),
    fullPersistentMB: +(full.persistentBytes / 2 ** 20).toFixed(2),
    loraPersistentMB: +(lora.persistentBytes / 2 ** 20).toFixed(2),
    fullPeakStepMB: +(full.peakStepBytesAboveStart / 2 ** 20).toFixed(2),
    loraPeakStepMB: +(lora.peakStepBytesAboveStart / 2 ** 20).toFixed(2),
    genBaseTokS: +gen.baseTokensPerSecond.toFixed(1),
    genUnmergedTokS: +gen.unmergedTokensPerSecond.toFixed(1),
    genMergedTokS: +gen.mergedTokensPerSecond.toFixed(1),
    genMergeAndUnloadTokS: +gen.mergeAndUnloadTokensPerSecond.toFixed(1),
    genKernels: gen.kernelsPer16TokenGeneration,
    genTokPerCpuS: Object.fromEntries(Object.entries(gen.tokensPerCpuSecond).map(([k, v]) => [k, +v.toFixed(1)])),
  }));
}

const report = {
  benchmark: 'lora-vs-full',
  date: new Date().toISOString(),
  seed: SEED,
  settings: { batch: B, seq: T, trainRounds: TRAIN_ROUNDS, stepsPerRound: STEPS_PER_ROUND, genTokens: GEN_TOKENS, genRounds: GEN_ROUNDS, lora: { r: 8, loraAlpha: 16, targetModules: "peft default (gpt2: c_attn; llama: q_proj, v_proj)" } },
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version },
  backend: { choice: backend.choice, tfjs: backend.tfjsVersion },
  results,
};
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
console.log(`written ${OUT}`);
