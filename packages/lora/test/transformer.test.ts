/** LoRA on the real @xrec/transformer model (GPT-2 and Llama layouts), trained with the shared trainer. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { DEFAULT_GPT2_CONFIG, DEFAULT_LLAMA_CONFIG, initBackend, resolveTransformerConfig, train, TransformerLM, type TrainBatch } from '@xrec/transformer';
import { disableAdapters, injectLora, loadAdapter, mergeAndUnload, mergeLora, saveAdapter, unmergeLora } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'xrec-lora-tlm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend();
});

const V = 48;
const T = 16;
/** Sequences following a fixed random permutation: x[t+1] = perm[x[t]] — learnable, absent from a random model. */
function corpus(n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  const perm = new Rng(99).permutation(V);
  return Array.from({ length: n }, () => {
    const s = [rng.int(0, V - 1)];
    while (s.length < T + 1) s.push(perm[s.at(-1)!]!);
    return s;
  });
}
interface Batch extends TrainBatch { rows: number[][] }
function lossOf(model: TransformerLM, rows: number[][], training: boolean): tf.Scalar {
  const ids = tf.tensor2d(rows.map((r) => r.slice(0, T)), [rows.length, T], 'int32');
  const labels = tf.tensor2d(rows.map((r) => r.slice(1)), [rows.length, T], 'int32');
  return model.loss({ ids, labels, training });
}
function logits(model: TransformerLM, rows: number[][]): Float32Array {
  return tf.tidy(() => model.forward({ ids: tf.tensor2d(rows.map((r) => r.slice(0, T)), [rows.length, T], 'int32') }).logits.dataSync() as Float32Array);
}
function snapshot(model: TransformerLM): Map<string, Uint8Array> {
  return new Map([...model.parameters()].map(([n, v]) => [n, new Uint8Array((v.dataSync() as Float32Array).slice().buffer)]));
}
function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
function allClose(a: Float32Array, b: Float32Array, atol = 1e-5, rtol = 1e-5): { ok: boolean; maxAbs: number } {
  let ok = a.length === b.length;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    maxAbs = Math.max(maxAbs, d);
    if (!(d <= atol + rtol * Math.abs(b[i]!))) ok = false;
  }
  return { ok, maxAbs };
}

describe('GPT-2 (Conv1D layout) with the shared trainer', () => {
  it('fresh adapter changes nothing; training moves only A, B; merged == unmerged; unmerge exact; files round-trip', async () => {
    const cfg = resolveTransformerConfig({ ...DEFAULT_GPT2_CONFIG, vocabSize: V, contextLength: 32, dModel: 32, nLayers: 2, nHeads: 4, nKvHeads: 4, dFF: 64, dropout: 0 });
    const model = TransformerLM.create(cfg, new Rng(1));
    const data = corpus(64, 2);
    const val = corpus(16, 3);
    const base = snapshot(model);
    const baseLogits = logits(model, val);

    // ln_f trains in full (modulesToSave): with a frozen final norm and a tied N(0, 0.02) head, logits of a
    // random base model cannot leave a narrow range whatever the adapters do.
    const lm = injectLora(model, { r: 8, loraAlpha: 16, targetModules: ['c_attn', 'c_proj'], modulesToSave: ['transformer.ln_f'] }, { seed: 5 });
    expect(lm.adapter().config.fanInFanOut).toBe(true);
    expect(lm.adapter().layers).toHaveLength(6); // attn.c_attn, attn.c_proj, mlp.c_proj in each of 2 blocks
    expect(sameBits(logits(model, val), baseLogits)).toBe(true);

    const valLoss0 = tf.tidy(() => lossOf(model, val, false).dataSync()[0]!);
    const result = await train<Batch>({
      variables: lm.trainableVariables(),
      lossFn: (b, training) => lossOf(model, b.rows, training),
      trainBatches: (_e, rng) => {
        const order = rng.permutation(data.length);
        return Array.from({ length: 8 }, (_, i) => ({ size: 8, tokens: 8 * T, rows: order.slice(i * 8, i * 8 + 8).map((j) => data[j]!) }));
      },
      valBatches: () => [{ size: val.length, tokens: val.length * T, rows: val }],
      config: { epochs: 8, lr: 3e-2, weightDecay: 0, schedule: 'constant', seed: 7 },
    });
    console.log(`GPT-2 toy LoRA: val loss ${valLoss0.toFixed(3)} -> ${result.epochs.map((e) => e.valLoss!.toFixed(3)).join(' ')}`);
    expect(result.epochs.at(-1)!.valLoss!).toBeLessThan(valLoss0 - 0.3);
    const trained = snapshot(model);
    for (const [n, bytes] of trained) {
      if (n.startsWith('transformer.ln_f')) expect(Buffer.from(bytes).equals(Buffer.from(base.get(n)!)), n).toBe(false);
      else expect(Buffer.from(bytes).equals(Buffer.from(base.get(n)!)), n).toBe(true);
    }
    expect(disableAdapters(lm, () => [...snapshot(model)].every(([n, b]) => Buffer.from(b).equals(Buffer.from(base.get(n)!))))).toBe(true);

    // counted from here: the shared trainer's AdamW leaks the zerosLike initial values of its slots (2 per variable)
    const tensors0 = tf.memory().numTensors;
    const adapted = logits(model, val);
    expect(sameBits(adapted, baseLogits)).toBe(false);
    mergeLora(lm);
    const merged = logits(model, val);
    const cmp = allClose(merged, adapted);
    console.log(`GPT-2 toy LoRA: max |merged - unmerged| logits = ${cmp.maxAbs.toExponential(2)} (max |logit| ${Math.max(...adapted.map(Math.abs)).toFixed(2)})`);
    expect(cmp.ok, `max |merged - unmerged| = ${cmp.maxAbs}`).toBe(true);
    const gUnmerged = disableAdapters(lm, () => 0); // no-op scope keeps the merge
    expect(gUnmerged).toBe(0);
    expect(lm.mergedAdapters).toEqual(['default']);
    unmergeLora(lm);
    for (const [n, bytes] of snapshot(model)) expect(Buffer.from(bytes).equals(Buffer.from(trained.get(n)!)), n).toBe(true);
    expect(sameBits(disableAdapters(lm, () => logits(model, val)), baseLogits)).toBe(true);

    // greedy generation: merged and unmerged agree
    const prompts = val.slice(0, 2).map((r) => r.slice(0, 4));
    const genAdapter = model.generate({ prompts, maxNewTokens: 8, greedy: true });
    mergeLora(lm);
    expect(model.generate({ prompts, maxNewTokens: 8, greedy: true })).toEqual(genAdapter);
    unmergeLora(lm);
    expect(tf.memory().numTensors).toBe(tensors0);

    // save base + adapter; load both into a fresh process-like copy
    const baseDir = join(tmp, 'gpt2-base');
    const adDir = join(tmp, 'gpt2-adapter');
    await disableAdapters(lm, () => model.save(baseDir));
    await saveAdapter(lm, adDir, { baseModelNameOrPath: baseDir });
    const model2 = await TransformerLM.load(baseDir);
    expect(sameBits(logits(model2, val), baseLogits)).toBe(true);
    const lm2 = await loadAdapter(model2, adDir);
    expect(sameBits(logits(model2, val), adapted)).toBe(true);

    // mergeAndUnload: plain model, same outputs, saved like any model
    const plain = mergeAndUnload(lm2);
    expect(plain.linearLayers().every((l) => l.adapter === undefined)).toBe(true);
    expect(allClose(logits(plain, val), adapted).ok).toBe(true);
    lm.unload();
    model.dispose();
    model2.dispose();
  });
});

describe('Llama (nn.Linear layout)', () => {
  it("'all-linear' adapts every projection but not lm_head; trainable share is small", () => {
    const cfg = resolveTransformerConfig({ ...DEFAULT_LLAMA_CONFIG, vocabSize: V, contextLength: 32, dModel: 32, nLayers: 2, nHeads: 4, nKvHeads: 2, dFF: 64, tieEmbeddings: false });
    const model = TransformerLM.create(cfg, new Rng(3));
    const before = logits(model, corpus(2, 1));
    const lm = injectLora(model, { r: 2, targetModules: 'all-linear' });
    expect(lm.adapter().config.targetModules).toEqual(['down_proj', 'gate_proj', 'k_proj', 'o_proj', 'q_proj', 'up_proj', 'v_proj']);
    expect(lm.adapter().config.fanInFanOut).toBe(false);
    expect(lm.adapter().layers).not.toContain('lm_head');
    expect(lm.adapter().layers).toHaveLength(14);
    expect(sameBits(logits(model, corpus(2, 1)), before)).toBe(true);
    const rep = lm.parameterReport();
    expect(rep.total).toBe(model.numParameters() + rep.trainable);
    expect(model.trainableVariables().size).toBe(0);
    lm.unload();
    expect(model.trainableVariables().size).toBe(model.parameters().size);
    model.dispose();
  });
});
