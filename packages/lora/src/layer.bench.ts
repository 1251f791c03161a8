/** Micro benchmark: one linear layer [512 x 256] @ [256 x 768], plain vs with a rank-8 LoRA adapter vs merged. */
import { bench, describe } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { initBackend } from '@xrec/transformer';
import { injectLora, type LinearAdapterLike, type LinearLayerLike, type LoraHost } from './index.js';

await initBackend();
const rng = new Rng(0);
const N = 512;
const IN = 256;
const OUT = 768;
const rand = (n: number, s: number) => Float32Array.from({ length: n }, () => rng.normal(0, s));

function host(): LoraHost & { layer: LinearLayerLike } {
  const layer: LinearLayerLike = {
    name: 'h.0.attn.c_attn', inFeatures: IN, outFeatures: OUT, hfLayout: 'conv1d',
    weight: tf.variable(tf.tensor2d(rand(IN * OUT, 0.02), [IN, OUT])),
    adapter: undefined as LinearAdapterLike | undefined, adapterDisabled: false,
  };
  return {
    layer,
    parameters: () => new Map([['h.0.attn.c_attn.weight', layer.weight]]),
    linearLayers: () => [layer],
    setTrainable: (p) => { layer.weight.trainable = p('h.0.attn.c_attn.weight'); },
    trainableVariables: () => new Map(layer.weight.trainable ? [['h.0.attn.c_attn.weight', layer.weight]] : []),
  };
}
const x = tf.tensor2d(rand(N * IN, 1), [N, IN]);
const forward = (l: LinearLayerLike) => tf.tidy(() => {
  const y = tf.matMul(x, l.weight) as tf.Tensor2D;
  return l.adapter && !l.adapterDisabled ? l.adapter.apply(x, y, false) : y;
});

const plain = host();
const adapted = host();
injectLora(adapted, { r: 8, targetModules: ['c_attn'], initLoraWeights: false });
const merged = host();
injectLora(merged, { r: 8, targetModules: ['c_attn'], initLoraWeights: false }).merge();

describe('linear layer forward [512, 256] @ [256, 768]', () => {
  bench('plain', () => forward(plain.layer).dispose());
  bench('LoRA r=8 unmerged', () => forward(adapted.layer).dispose());
  bench('LoRA r=8 merged', () => forward(merged.layer).dispose());
});
