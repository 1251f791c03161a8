import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '@xrec/core';
import { againstSingleThread, initBackend, lmLoss, loadLlama2c, train, type LmBatch } from '@xrec/transformer';
import { injectLora } from './lora-model.js';
import { loraDataParallel } from './replica.js';

// LoRA fine-tuning over two replicas (the worker runs the compiled package: `pnpm build` first, as CI does).

await initBackend();
const base = join(import.meta.dirname, '..', '..', 'transformer', 'test', 'fixtures', 'stories260K.bin');
const rng = new Rng(11);
const seq = 16;
const batches: LmBatch[] = Array.from({ length: 3 }, () => ({ size: 4, tokens: 4 * seq, seq, ids: Int32Array.from({ length: 4 * (seq + 1) }, () => rng.int(1, 511)) }));

async function run(workers: number): Promise<Float32Array[]> {
  const model = await loadLlama2c(base);
  const lm = injectLora(model, { r: 4, loraAlpha: 8, targetModules: ['q_proj', 'v_proj'], initLoraWeights: false }, { seed: 3 });
  try {
    await train<LmBatch>({
      variables: lm.trainableVariables(),
      lossFn: (b, training, ctx) => {
        lm.reseedDropout(ctx.seed);
        return lmLoss(model, b, training, ctx.seed);
      },
      trainBatches: () => batches,
      config: { epochs: 1, lr: 1e-2, schedule: 'constant', seed: 1 },
      ...(workers > 0 ? { parallel: { ...loraDataParallel({ base, config: lm.adapter().config, seed: 3 }, workers), verifyEvery: 1 } } : {}),
    });
    return [...lm.trainableVariables().values()].map((v) => v.dataSync().slice() as Float32Array);
  } finally {
    lm.unload();
    model.dispose();
  }
}

describe('LoRA over data-parallel replicas', () => {
  it('two replicas (the worker loads the same base file) follow the single-thread run; replicas verified every step', async () => {
    const c = await againstSingleThread(run, (w) => w);
    expect(c.leakedTensors).toBe(0);
    expect(c.maxAbsDiff).toBeLessThan(1e-5);
    expect(c.single.some((w) => w.some((x) => x !== 0))).toBe(true);
  });
});
