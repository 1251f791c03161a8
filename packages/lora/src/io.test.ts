import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, float32ToTensor, loadSafetensorsSync, saveSafetensorsSync, tensorToFloat32 } from '@xrec/core';
import { initBackend } from '@xrec/transformer';
import { fit, ToyModel } from '../test/toy-model.js';
import { injectLora, loadAdapter, mergeLora, saveAdapter, ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from './index.js';

const tmp = mkdtempSync(join(tmpdir(), 'xrec-lora-io-'));
const IDS = [1, 2, 3, 4, 5, 6];
const TARGETS = [2, 3, 4, 5, 6, 7];

function logits(m: ToyModel): Float32Array {
  return tf.tidy(() => m.forward(IDS).dataSync() as Float32Array);
}

beforeAll(async () => {
  await initBackend();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('saveAdapter / loadAdapter', () => {
  it("writes peft's key names, layouts and config fields; loading reproduces the outputs", async () => {
    const m = new ToyModel();
    const lm = injectLora(m, { r: 3, loraAlpha: 6, targetModules: ['c_attn', 'up_proj'], modulesToSave: ['lm_head'] }, { seed: 4 });
    fit(lm.trainableVariables(), () => m.loss(IDS, TARGETS, true), 10);
    const trained = logits(m);
    const dir = join(tmp, 'a1');
    await saveAdapter(lm, dir, { baseModelNameOrPath: 'toy' });

    const cfg = JSON.parse(readFileSync(join(dir, ADAPTER_CONFIG_FILE), 'utf8'));
    for (const k of ['peft_type', 'task_type', 'r', 'lora_alpha', 'lora_dropout', 'target_modules', 'bias', 'fan_in_fan_out', 'modules_to_save',
      'init_lora_weights', 'use_rslora', 'use_dora', 'rank_pattern', 'alpha_pattern', 'base_model_name_or_path', 'inference_mode']) {
      expect(cfg, k).toHaveProperty(k);
    }
    expect(cfg).toMatchObject({ peft_type: 'LORA', r: 3, lora_alpha: 6, target_modules: ['c_attn', 'up_proj'], modules_to_save: ['lm_head'], base_model_name_or_path: 'toy' });
    const file = loadSafetensorsSync(join(dir, ADAPTER_WEIGHTS_FILE));
    expect(file.metadata).toEqual({ format: 'pt' });
    const shapes = Object.fromEntries([...file.tensors].map(([k, t]) => [k, [t.dtype, ...t.shape]]));
    expect(shapes).toEqual({
      'base_model.model.transformer.h.0.attn.c_attn.lora_A.weight': ['F32', 3, 8], // [r, in]
      'base_model.model.transformer.h.0.attn.c_attn.lora_B.weight': ['F32', 16, 3], // [out, r]
      'base_model.model.transformer.h.0.mlp.up_proj.lora_A.weight': ['F32', 3, 8],
      'base_model.model.transformer.h.0.mlp.up_proj.lora_B.weight': ['F32', 24, 3],
      'base_model.model.lm_head.weight': ['F32', 16, 8], // nn.Linear layout [out, in]
    });
    // values: lora_A.weight is A (compute [in, r]) transposed
    const a = lm.loraLayers().get('transformer.h.0.attn.c_attn')!.adapters.get('default')!.a.arraySync() as number[][];
    const fa = tensorToFloat32(file.tensors.get('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight')!);
    expect(fa[1 * 8 + 5]).toBe(a[5]![1]);
    lm.unload();

    const m2 = new ToyModel();
    const before = logits(m2);
    const lm2 = await loadAdapter(m2, dir);
    expect(lm2.loadedInfo.baseModelNameOrPath).toBe('toy');
    expect(Buffer.from(logits(m2).buffer).equals(Buffer.from(trained.buffer))).toBe(true);
    expect(lm2.trainableVariables().size).toBe(0); // loaded for inference unless isTrainable
    expect(m2.trainableVariables().size).toBe(0);
    lm2.unload();
    expect(Buffer.from(logits(m2).buffer).equals(Buffer.from(before.buffer))).toBe(true);
    m.dispose();
    m2.dispose();
  });

  it('saves an inactive named adapter (with its modulesToSave copy) and loads it under a name', async () => {
    const m = new ToyModel();
    const lm = injectLora(m, { r: 2, targetModules: ['c_proj'], modulesToSave: ['lm_head'] }, { adapterName: 'a', seed: 1 });
    fit(lm.trainableVariables(), () => m.loss(IDS, TARGETS, true), 8);
    const outA = logits(m);
    injectLora(m, { r: 2, targetModules: ['up_proj'], initLoraWeights: false }, { adapterName: 'b', seed: 2 });
    lm.setAdapter('b');
    const outB = logits(m);
    const dir = join(tmp, 'named-a');
    await saveAdapter(lm, dir, { adapterName: 'a' });
    lm.unload();
    const m2 = new ToyModel();
    const lm2 = await loadAdapter(m2, dir, { adapterName: 'mine' });
    expect(lm2.activeAdapter).toBe('mine');
    expect(Buffer.from(logits(m2).buffer).equals(Buffer.from(outA.buffer))).toBe(true);
    expect(Buffer.from(outA.buffer).equals(Buffer.from(outB.buffer))).toBe(false);
    lm2.unload();
    m.dispose();
    m2.dispose();
  });

  it('reads an adapter laid out as peft writes it: W_hf + s·B@A, for nn.Linear and Conv1D layers', async () => {
    const m = new ToyModel();
    const r = 2;
    const alpha = 4;
    // peft tensors: lora_A.weight [r, in], lora_B.weight [out, r]
    const A1 = Float32Array.from({ length: r * 8 }, (_, i) => (i % 5) * 0.1 - 0.2);
    const B1 = Float32Array.from({ length: 24 * r }, (_, i) => (i % 7) * 0.05 - 0.1);
    const A2 = Float32Array.from({ length: r * 8 }, (_, i) => (i % 3) * 0.2 - 0.2);
    const B2 = Float32Array.from({ length: 16 * r }, (_, i) => (i % 4) * 0.1 - 0.15);
    const dir = join(tmp, 'peft');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, ADAPTER_CONFIG_FILE), JSON.stringify({
      peft_type: 'LORA', task_type: 'CAUSAL_LM', r, lora_alpha: alpha, lora_dropout: 0.1, target_modules: ['up_proj', 'c_attn'],
      fan_in_fan_out: false, bias: 'none', modules_to_save: null, init_lora_weights: true, use_rslora: false, use_dora: false, exclude_modules: [],
    }));
    saveSafetensorsSync(join(dir, ADAPTER_WEIGHTS_FILE), [
      ['base_model.model.transformer.h.0.mlp.up_proj.lora_A.weight', float32ToTensor(A1, [r, 8], 'F16')],
      ['base_model.model.transformer.h.0.mlp.up_proj.lora_B.weight', float32ToTensor(B1, [24, r], 'F16')],
      ['base_model.model.transformer.h.0.attn.c_attn.lora_A.weight', float32ToTensor(A2, [r, 8], 'BF16')],
      ['base_model.model.transformer.h.0.attn.c_attn.lora_B.weight', float32ToTensor(B2, [16, r], 'BF16')],
    ], { format: 'pt' });
    const up0 = m.layer('up_proj').weight.arraySync() as number[][]; // [in, out]
    const attn0 = m.layer('c_attn').weight.arraySync() as number[][];
    // peft's file says fan_in_fan_out false although c_attn is Conv1D; peft corrects it with a warning, so do we.
    const lm = await loadAdapter(m, dir, { isTrainable: true });
    expect(lm.trainableVariables().size).toBe(4);
    const file = loadSafetensorsSync(join(dir, ADAPTER_WEIGHTS_FILE));
    const get = (k: string) => tensorToFloat32(file.tensors.get(`base_model.model.transformer.h.0.${k}`)!);
    mergeLora(lm);
    const up1 = m.layer('up_proj').weight.arraySync() as number[][];
    const attn1 = m.layer('c_attn').weight.arraySync() as number[][];
    const s = alpha / r;
    const check = (w0: number[][], w1: number[][], A: Float32Array, B: Float32Array, inF: number, outF: number) => {
      for (let i = 0; i < inF; i++) {
        for (let o = 0; o < outF; o++) {
          let d = 0; // (B @ A)[o, i]: the HF nn.Linear-layout delta, which is [in, out]-transposed in xrec
          for (let k = 0; k < r; k++) d += B[o * r + k]! * A[k * inF + i]!;
          expect(w1[i]![o]! - w0[i]![o]!).toBeCloseTo(s * d, 5);
        }
      }
    };
    check(up0, up1, get('mlp.up_proj.lora_A.weight'), get('mlp.up_proj.lora_B.weight'), 8, 24);
    check(attn0, attn1, get('attn.c_attn.lora_A.weight'), get('attn.c_attn.lora_B.weight'), 8, 16);
    lm.unload();
    m.dispose();
  });

  it('rejects files that do not fit the model, leaving it untouched', async () => {
    const m = new ToyModel();
    const lm = injectLora(m, { r: 2, targetModules: ['c_attn'] });
    const dir = join(tmp, 'bad');
    await saveAdapter(lm, dir);
    lm.unload();
    const wpath = join(dir, ADAPTER_WEIGHTS_FILE);
    const good = loadSafetensorsSync(wpath);
    const before = logits(m);

    const t = new Map(good.tensors);
    t.set('base_model.model.transformer.h.0.attn.c_attn.lora_B.weight', float32ToTensor(new Float32Array(2 * 16), [2, 16]));
    saveSafetensorsSync(wpath, t);
    await expect(loadAdapter(m, dir)).rejects.toThrow(/lora_B\.weight' has shape \[2, 16\], the model needs \[16, 2\]/);

    const t2 = new Map(good.tensors);
    t2.set('base_model.model.transformer.h.0.mlp.up_proj.lora_A.weight', float32ToTensor(new Float32Array(16), [2, 8]));
    saveSafetensorsSync(wpath, t2);
    await expect(loadAdapter(m, dir)).rejects.toThrow(CheckpointError);

    const t3 = new Map(good.tensors);
    t3.delete('base_model.model.transformer.h.0.attn.c_attn.lora_A.weight');
    saveSafetensorsSync(wpath, t3);
    await expect(loadAdapter(m, dir)).rejects.toThrow(/missing tensor 'base_model.model.transformer.h.0.attn.c_attn.lora_A.weight'/);

    await expect(loadAdapter(m, join(tmp, 'nowhere'))).rejects.toThrow(/adapter_config.json does not exist/);

    saveSafetensorsSync(wpath, good.tensors);
    const cfgPath = join(dir, 'adapter_config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
    delete cfg.r;
    writeFileSync(cfgPath, JSON.stringify(cfg));
    await expect(loadAdapter(m, dir)).rejects.toThrow(/adapter_config.json: r: missing \(the LoRA rank/);
    expect(m.layers.every((l) => l.adapter === undefined)).toBe(true);
    expect(Buffer.from(logits(m).buffer).equals(Buffer.from(before.buffer))).toBe(true);
    m.dispose();
  });
});
