/**
 * Training correctness of the masked-LM encoders: the gradients of `TransformerLM.loss` on a masked batch
 * (padding included) agree with an independent PyTorch implementation's (test/reference/
 * make_mlm_grad_fixtures.py → fixtures/ref-{bert,roberta}/mlm-grads.safetensors), parameter by parameter, with
 * whichever kernels are active (the native ones where they load). The logits test checks the forward pass; this
 * one checks what training uses.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadSafetensorsSync, tensorToFloat32, tensorToInts } from '@xrec/core';
import { initBackend, TransformerLM } from '../src/index.js';
import { transpose2d } from '../src/checkpoint.js';
import { parameterSpecs } from '../src/params.js';

const FIX = join(import.meta.dirname, 'fixtures');

for (const name of ['ref-bert', 'ref-roberta']) {
  describe(`${name}: masked-LM gradients agree with PyTorch`, () => {
    let model: TransformerLM;
    beforeAll(async () => {
      await initBackend();
      model = await TransformerLM.load(join(FIX, name));
    });

    it('loss and every parameter gradient within 1e-4 relative to the largest reference entry', () => {
      const ref = loadSafetensorsSync(join(FIX, name, 'mlm-grads.safetensors')).tensors;
      const idsT = ref.get('ids')!;
      const shape = idsT.shape as [number, number];
      const labelsFlat = tensorToInts(ref.get('labels')!);
      expect(labelsFlat.some((l) => l === -100)).toBe(true);
      const before = tf.memory().numTensors;
      const ids = tf.tensor2d(tensorToInts(idsT), shape, 'int32');
      const attentionMask = tf.tensor2d(tensorToInts(ref.get('mask')!), shape, 'int32');
      const labels = tf.tensor2d(labelsFlat, shape, 'int32');
      const vars = model.parameters();
      const { value, grads } = tf.variableGrads(() => model.loss({ ids, attentionMask, labels, training: false }), [...vars.values()]);
      expect(Math.abs(value.dataSync()[0]! - tensorToFloat32(ref.get('loss')!)[0]!)).toBeLessThan(1e-4);
      const seen = new Set<string>();
      for (const spec of parameterSpecs(model.config)) {
        const want = ref.get(`grad.${spec.name}`);
        expect(want, spec.name).toBeDefined();
        const g = grads[vars.get(spec.name)!.name];
        expect(g, spec.name).toBeDefined();
        const got = g!.dataSync() as Float32Array;
        // compute layout [in, out] → Hugging Face's [out, in] for nn.Linear weights
        const hf = spec.linear?.layout === 'linear' ? transpose2d(got, spec.shape[0]!, spec.shape[1]!) : got;
        const w = tensorToFloat32(want!);
        expect(hf.length, spec.name).toBe(w.length);
        let scale = 0;
        let diff = 0;
        for (let i = 0; i < w.length; i++) {
          scale = Math.max(scale, Math.abs(w[i]!));
          diff = Math.max(diff, Math.abs(hf[i]! - w[i]!));
        }
        // key biases get a zero gradient (softmax is shift-invariant): compare those absolutely
        expect(diff, `${spec.name}: max |Δgrad| ${diff} at reference scale ${scale}`).toBeLessThan(1e-4 * Math.max(scale, 1e-2));
        seen.add(spec.name);
      }
      expect(seen.size).toBe(vars.size);
      tf.dispose([ids, attentionMask, labels, value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
