/**
 * LoRA fine-tuning of a real pretrained model: stories260K (karpathy/tinyllamas, MIT; trained on children's
 * stories) adapted to Amazon musical-instrument review text with peft's default Llama targets (q_proj, v_proj).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, loadLlama2c, train, type TrainBatch, type TransformerLM } from '@xrec/transformer';
import { injectLora, mergeLora, unmergeLora } from '../src/index.js';
import { loadLlama2cTokenizer } from './llama2c-tokenizer.js';

/** stories260K: the copy committed with @xrec/transformer's tests, else $XREC_SHARED_DIR/models/stories260K. */
function findStories(): { bin?: string; tok?: string; skipReason?: string } {
  const dirs = [join(import.meta.dirname, '..', '..', 'transformer', 'test', 'fixtures')];
  if (process.env.XREC_SHARED_DIR) dirs.push(join(process.env.XREC_SHARED_DIR, 'models', 'stories260K'));
  for (const d of dirs) {
    if (existsSync(join(d, 'stories260K.bin')) && existsSync(join(d, 'tok512.bin'))) return { bin: join(d, 'stories260K.bin'), tok: join(d, 'tok512.bin') };
  }
  return { skipReason: `SKIPPED: stories260K.bin + tok512.bin not found in ${dirs.join(' or ')} (set XREC_SHARED_DIR to the shared folder holding models/stories260K)` };
}
const found = findStories();
if (found.skipReason) console.warn(found.skipReason);

const T = 64;
interface Batch extends TrainBatch { rows: number[][] }

/** Concatenate BOS-prefixed reviews and cut them into rows of T+1 tokens. */
function windows(texts: string[], encode: (s: string) => number[]): number[][] {
  const stream: number[] = [];
  for (const t of texts) stream.push(1, ...encode(t));
  const rows: number[][] = [];
  for (let i = 0; i + T + 1 <= stream.length; i += T) rows.push(stream.slice(i, i + T + 1));
  return rows;
}

function lossOf(model: TransformerLM, rows: number[][], training: boolean): tf.Scalar {
  const ids = tf.tensor2d(rows.map((r) => r.slice(0, T)), [rows.length, T], 'int32');
  const labels = tf.tensor2d(rows.map((r) => r.slice(1)), [rows.length, T], 'int32');
  return model.loss({ ids, labels, training });
}

describe('stories260K + LoRA on review text', () => {
  let model: TransformerLM;
  let train_: number[][];
  let val: number[][];
  beforeAll(async () => {
    if (found.skipReason) return;
    await initBackend();
    model = await loadLlama2c(found.bin!);
    const tok = loadLlama2cTokenizer(found.tok!);
    const texts = readFileSync(join(import.meta.dirname, 'fixtures', 'reviews-sample.txt'), 'utf8').split('\n').filter((l) => l.trim() !== '');
    train_ = windows(texts.slice(0, 240), (s) => tok.encode(s));
    val = windows(texts.slice(240), (s) => tok.encode(s));
  });

  it.skipIf(!!found.skipReason)('lowers validation loss with under 5% of the parameters trainable at r = 8', async () => {
    const valLoss = () => tf.tidy(() => lossOf(model, val, false).dataSync()[0]!);
    const before = valLoss();
    const base = new Map([...model.parameters()].map(([n, v]) => [n, Buffer.from((v.dataSync() as Float32Array).slice().buffer)]));
    const lm = injectLora(model, { r: 8, loraAlpha: 16 }, { seed: 0 }); // peft's Llama default targets: q_proj, v_proj
    expect(lm.adapter().config.targetModules).toEqual(['q_proj', 'v_proj']);
    const rep = lm.parameterReport();
    console.log(`stories260K LoRA r=8: ${lm.trainableParametersText()}; ${train_.length} train / ${val.length} val rows of ${T} tokens`);
    expect(rep.percent).toBeLessThan(5);
    const t0 = performance.now();
    const result = await train<Batch>({
      variables: lm.trainableVariables(),
      lossFn: (b, training) => lossOf(model, b.rows, training),
      trainBatches: (_e, rng) => {
        const order = rng.permutation(train_.length);
        const bs = 16;
        return Array.from({ length: Math.floor(order.length / bs) }, (_, i) => {
          const rows = order.slice(i * bs, (i + 1) * bs).map((j) => train_[j]!);
          return { size: rows.length, tokens: rows.length * T, rows };
        });
      },
      valBatches: () => [{ size: val.length, tokens: val.length * T, rows: val }],
      config: { epochs: 1, lr: 1e-2, weightDecay: 0, warmupSteps: 2, schedule: 'cosine', seed: 1 },
    });
    const after = valLoss();
    console.log(
      `stories260K LoRA: val loss ${before.toFixed(4)} -> ${result.epochs.map((e) => e.valLoss!.toFixed(4)).join(' -> ')} ` +
        `(${result.steps} steps, ${result.tokensPerSecond.toFixed(0)} tokens/s, ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    expect(after).toBeLessThan(before - 0.1);
    for (const [n, v] of model.parameters()) expect(Buffer.from((v.dataSync() as Float32Array).buffer).equals(base.get(n)!), n).toBe(true);
    const adapted = tf.tidy(() => lossOf(model, val, false).dataSync()[0]!);
    mergeLora(lm);
    expect(Math.abs(valLoss() - adapted)).toBeLessThan(1e-5);
    unmergeLora(lm);
    lm.unload();
    expect(valLoss()).toBe(before);
  });
});
