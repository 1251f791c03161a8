/** A shared check for kernel tests: train a small GPT on learnable rows and return its losses. */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@xrec/core';
import { resolveTransformerConfig } from '../src/config.js';
import { TransformerLM } from '../src/model.js';
import { AdamW } from '../src/optim.js';

/**
 * `steps` AdamW updates (lr 3e-3) of a 2-layer GPT (vocab 97, d 32) on arithmetic progressions mod 97 with a
 * random start and step, seeded, so two kernel paths can be compared step by step. Throws if tensors leak.
 */
export async function trainSmallGpt(steps: number): Promise<number[]> {
  const cfg = resolveTransformerConfig({ arch: 'gpt2', vocabSize: 97, contextLength: 16, dModel: 32, nHeads: 4, nLayers: 2, dropout: 0 });
  const model = TransformerLM.create(cfg, new Rng(7));
  const vars = model.trainableVariables();
  const opt = new AdamW(vars, { weightDecay: 0.01 });
  const rng = new Rng(8);
  const losses: number[] = [];
  const before = tf.memory().numTensors;
  for (let s = 0; s < steps; s++) {
    const ids = new Int32Array(4 * 17);
    for (let r = 0; r < 4; r++) {
      const a = rng.int(0, 96);
      const d = rng.int(1, 3);
      for (let j = 0; j < 17; j++) ids[r * 17 + j] = (a + d * j) % 97;
    }
    const loss = tf.tidy(() => {
      const all = tf.tensor2d(ids, [4, 17], 'int32');
      const x = tf.slice(all, [0, 0], [4, 16]) as tf.Tensor2D;
      const y = tf.slice(all, [0, 1], [4, 16]) as tf.Tensor2D;
      const { value, grads } = tf.variableGrads(() => model.loss({ ids: x, labels: y, training: false }), [...vars.values()]);
      const named = new Map<string, tf.Tensor>();
      for (const [name, v] of vars) named.set(name, grads[v.name]!);
      opt.applyGradients(named, 3e-3);
      return value;
    });
    losses.push((await loss.data())[0]!);
    loss.dispose();
  }
  const leaked = tf.memory().numTensors - before;
  opt.dispose();
  model.dispose();
  if (leaked !== 0) throw new Error(`trainSmallGpt: ${leaked} tensors leaked`);
  return losses;
}
