import { describe, it, expect, beforeAll } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, loadSafetensorsSync, tensorToFloat32, tensorToInts } from '@xrec/core';
import { initBackend, TransformerLM } from '../src/index.js';

const FIX = join(import.meta.dirname, 'fixtures');

/** Max |a - b| over the positions whose mask is 1 ([B, S, V] logits). */
function maxDiffValid(a: Float32Array, b: Float32Array, mask: number[], V: number): number {
  let m = 0;
  mask.forEach((keep, pos) => {
    if (!keep) return;
    for (let j = 0; j < V; j++) m = Math.max(m, Math.abs(a[pos * V + j]! - b[pos * V + j]!));
  });
  return m;
}

for (const name of ['ref-gpt2', 'ref-llama', 'ref-bert', 'ref-roberta', 'ref-bert-alibi']) {
  describe(`${name}: logits agree with the independent PyTorch implementation (test/reference/make_fixtures.py, make_encoder_fixtures.py)`, () => {
    const dir = join(FIX, name);
    const expected = loadSafetensorsSync(join(dir, 'expected.safetensors')).tensors;
    let model: TransformerLM;
    beforeAll(async () => {
      await initBackend();
      model = await TransformerLM.load(dir);
    });

    for (const kase of ['plain', 'padded', 'prefix']) {
      it(`${kase} input: max |Δlogit| < 1e-4`, () => {
        const idsT = expected.get(`${kase}.ids`)!;
        const maskT = expected.get(`${kase}.mask`)!;
        const prefT = expected.get(`${kase}.prefix`);
        const want = tensorToFloat32(expected.get(`${kase}.logits`)!);
        const mask = tensorToInts(maskT);
        const before = tf.memory().numTensors;
        const ids = tf.tensor2d(tensorToInts(idsT), idsT.shape as [number, number], 'int32');
        const attentionMask = tf.tensor2d(mask, maskT.shape as [number, number], 'int32');
        const prefix = prefT ? tf.tensor3d(tensorToFloat32(prefT), prefT.shape as [number, number, number]) : undefined;
        const out = model.forward({ ids, attentionMask, ...(prefix ? { prefix } : {}) });
        expect(out.logits.shape).toEqual(expected.get(`${kase}.logits`)!.shape);
        const got = out.logits.dataSync() as Float32Array;
        const diff = maxDiffValid(got, want, mask, model.config.vocabSize);
        expect(diff).toBeLessThan(1e-4);
        // A wrong model is far off: the logits are O(1).
        expect(Math.max(...Array.from(want).map(Math.abs))).toBeGreaterThan(0.5);
        tf.dispose([ids, attentionMask, out.logits, out.hidden, ...(prefix ? [prefix] : [])]);
        expect(tf.memory().numTensors).toBe(before);
      });
    }

    it('save -> load round trip keeps names, HF layouts and logits', async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'xrec-tf-'));
      try {
        await model.save(tmp, { note: 'round trip' });
        const saved = loadSafetensorsSync(join(tmp, 'model.safetensors'));
        expect(saved.metadata.xrec_format).toBe('xrec-transformer');
        expect(saved.metadata.note).toBe('round trip');
        const orig = loadSafetensorsSync(join(dir, 'model.safetensors')).tensors;
        for (const [n, t] of saved.tensors) {
          const o = orig.get(n) ?? orig.get(n.replace(/^transformer\./, ''));
          expect(o, n).toBeDefined();
          expect(t.shape, n).toEqual(o!.shape);
          expect(Buffer.from(t.data).equals(Buffer.from(o!.data)), n).toBe(true);
        }
        const again = await TransformerLM.load(tmp);
        expect(again.config).toEqual(model.config);
        const ids = tf.tensor2d([[3, 1, 4, 1, 5]], [1, 5], 'int32');
        const a = model.forward({ ids }).logits.dataSync();
        const b = again.forward({ ids }).logits.dataSync();
        expect(Array.from(b)).toEqual(Array.from(a));
        again.dispose();
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });

    it('a checkpoint whose shapes do not match config.json is rejected naming both sizes', async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'xrec-tf-'));
      try {
        cpSync(dir, tmp, { recursive: true });
        const cfg = JSON.parse(readFileSync(join(tmp, 'config.json'), 'utf8'));
        cfg.vocab_size += 1;
        writeFileSync(join(tmp, 'config.json'), JSON.stringify(cfg));
        const err = await TransformerLM.load(tmp).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CheckpointError);
        const V = cfg.vocab_size;
        expect(String((err as Error).message)).toMatch(new RegExp(`\\[${V - 1}, \\d+\\].*vocab_size ${V}.*\\[${V}, \\d+\\]`));
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
  });
}
