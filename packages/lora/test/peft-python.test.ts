/**
 * Independent check with Python/numpy (scripts/peft_merge_check.py): peft's merge rule applied to the saved
 * HF-layout base weights and the saved adapter files must give the weights of xrec's merged model.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { DEFAULT_GPT2_CONFIG, DEFAULT_LLAMA_CONFIG, initBackend, resolveTransformerConfig, TransformerLM } from '@xrec/transformer';
import { injectLora, loadAdapter, saveAdapter } from '../src/index.js';

const script = join(import.meta.dirname, '..', 'scripts', 'peft_merge_check.py');
const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
const skipReason = probe.status === 0 ? undefined : 'SKIPPED: python3 with numpy not available for the peft merge-rule cross-check';
if (skipReason) console.warn(skipReason);

const tmp = mkdtempSync(join(tmpdir(), 'xrec-lora-py-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend();
});

/** Random adapter values (as after training), so the check is not trivially B = 0. */
function randomise(lm: ReturnType<typeof injectLora>, seed: number): void {
  const rng = new Rng(seed);
  for (const l of lm.loraLayers().values()) {
    for (const w of l.adapters.values()) {
      for (const v of [w.a, w.b]) v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => rng.normal(0, 0.2)), v.shape));
    }
  }
}

describe.skipIf(!!skipReason)('peft merge rule (Python)', () => {
  it.each([
    ['gpt2', { targetModules: ['c_attn', 'c_fc'], useRslora: true, modulesToSave: ['transformer.ln_f'] }],
    ['llama', { targetModules: 'all-linear', bias: 'none' }],
  ] as const)('%s: base + adapter files merged by peft equal xrec mergeAndUnload', async (arch, lora) => {
    const base = arch === 'gpt2' ? DEFAULT_GPT2_CONFIG : DEFAULT_LLAMA_CONFIG;
    const cfg = resolveTransformerConfig({ ...base, vocabSize: 40, contextLength: 16, dModel: 16, nLayers: 2, nHeads: 2, nKvHeads: arch === 'gpt2' ? 2 : 1, dFF: 32, tieEmbeddings: arch === 'gpt2' });
    const model = TransformerLM.create(cfg, new Rng(7));
    const baseDir = join(tmp, `${arch}-base`);
    await model.save(baseDir);
    const lm = injectLora(model, { r: 4, loraAlpha: 8, ...lora }, { seed: 3 });
    randomise(lm, 11);
    const adapterDir = join(tmp, `${arch}-adapter`);
    await saveAdapter(lm, adapterDir);
    // modulesToSave values differ from the base too
    for (const p of lm.adapter().savedParams) {
      const v = model.parameters().get(p)!;
      v.assign(tf.add(v, 0.5));
    }
    await saveAdapter(lm, adapterDir);
    const mergedDir = join(tmp, `${arch}-merged`);
    await lm.mergeAndUnload().save(mergedDir);
    const run = spawnSync('python3', [script, baseDir, adapterDir, mergedDir], { encoding: 'utf8' });
    const report = JSON.parse(run.stdout) as { adapted_modules: number; problems: string[]; max_abs_error: number };
    console.log(`${arch}: ${run.stdout.trim()}`);
    expect(report.problems).toEqual([]);
    expect(run.status).toBe(0);
    expect(report.adapted_modules).toBe(arch === 'gpt2' ? 4 : 14);
    // and loading the files back reproduces the merged model's weights
    const again = await TransformerLM.load(baseDir);
    const merged = await TransformerLM.load(mergedDir);
    const lm2 = await loadAdapter(again, adapterDir);
    lm2.mergeAndUnload();
    for (const [n, v] of merged.parameters()) {
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(v, again.parameters().get(n)!))).dataSync()[0]!);
      expect(d, n).toBeLessThan(1e-6);
    }
    model.dispose();
    again.dispose();
    merged.dispose();
  });
});
