import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, Rng, StateError } from '@xrec/core';
import { TransformerLM, initBackend, resolveTransformerConfig } from '@xrec/transformer';
import { Pepler, type PeplerConfig, type PeplerEpochLog } from '../src/index.js';
import { WordTokenizer, syntheticRecords } from './helpers.js';

const data = syntheticRecords();
const tok = new WordTokenizer(data.records.map((r) => r.sentence));
const tmp = mkdtempSync(join(tmpdir(), 'pepler-test-'));

function tinyLM(seed = 1): TransformerLM {
  const config = resolveTransformerConfig({ arch: 'gpt2', vocabSize: tok.vocabSize, contextLength: 32, dModel: 32, nLayers: 1, nHeads: 2, dFF: 64, dropout: 0 });
  return TransformerLM.create(config, new Rng(seed));
}

async function trainVariant(variant: PeplerConfig['variant'], extra: Partial<PeplerConfig> = {}) {
  const logs: PeplerEpochLog[] = [];
  const r = await Pepler.train({
    lm: tinyLM(),
    tokenizer: tok,
    data,
    config: { variant, words: 8, promptTokens: 8, batchSize: 16, epochs: 6, stage1Epochs: 2, patience: 3, lr: 1e-2, lr2: 5e-3, seed: 3, ...extra },
    onEpochEnd: (e) => logs.push(e),
  });
  return { ...r, logs };
}

beforeAll(async () => {
  await initBackend();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('Pepler', () => {
  it('continuous: sequential tuning lowers validation loss, explains, saves and loads identically', async () => {
    const { model, report, logs } = await trainVariant('continuous');
    expect(report.stages.map((s) => s.stage)).toEqual(['prompt', 'full']);
    expect(logs[0]!.stage).toBe('prompt');
    const val = logs.map((l) => l.valLoss!);
    expect(Math.min(...val)).toBeLessThan(val[0]!);
    const pairs = data.test.map((r) => ({ user: data.records[r]!.user, item: data.records[r]!.item }));
    const before = tf.memory().numTensors;
    const out = await model.explainBatch(pairs);
    expect(tf.memory().numTensors).toBe(before); // generation leaks nothing
    expect(out).toHaveLength(pairs.length);
    expect(out.every((s) => typeof s === 'string')).toBe(true);
    // the model learnt the template "the <feature> is <opinion>"
    expect(out.filter((s) => s.startsWith('the ')).length).toBeGreaterThan(pairs.length / 2);
    expect(() => model.predictRating('u0', 'i0')).toThrow(StateError);
    await expect(model.explain('nobody', 'i0')).rejects.toThrow(NotFoundError);
    const dir = join(tmp, 'continuous');
    await model.save(dir);
    const loaded = await Pepler.load(dir, { loadLM: (d) => TransformerLM.load(d), tokenizer: tok });
    expect(await loaded.explainBatch(pairs)).toEqual(out);
    const held = tf.memory().numTensors;
    const own = (model.lm as TransformerLM).parameters().size + 2;
    model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(held - 2 * own);
  });

  it('discrete: fine-tunes the LM on feature prompts', async () => {
    const { model, report } = await trainVariant('discrete', { lr: 3e-3 });
    expect(report.stages.map((s) => s.stage)).toEqual(['full']);
    expect(model.promptIds('u0', 'i0').length).toBeGreaterThan(0);
    const s = await model.explain('u0', 'i0');
    expect(typeof s).toBe('string');
    const dir = join(tmp, 'discrete');
    await model.save(dir);
    const loaded = await Pepler.load(dir, { loadLM: (d) => TransformerLM.load(d), tokenizer: tok });
    expect(await loaded.explain('u0', 'i0')).toBe(s);
    model.dispose();
    loaded.dispose();
  });

  it('mf and mlp: predict ratings within the training range; save/load keeps them', async () => {
    for (const variant of ['mf', 'mlp'] as const) {
      const { model, report } = await trainVariant(variant, { epochs: 3 });
      expect(report.stages.map((s) => s.stage)).toEqual(['joint']);
      const r = model.predictRating('u1', 'i3');
      expect(r).toBeGreaterThanOrEqual(1);
      expect(r).toBeLessThanOrEqual(5);
      const dir = join(tmp, variant);
      await model.save(dir);
      const loaded = await Pepler.load(dir, { loadLM: (d) => TransformerLM.load(d), tokenizer: tok });
      expect(loaded.predictRating('u1', 'i3')).toBeCloseTo(r, 5);
      model.dispose();
      loaded.dispose();
    }
  });

  it('continuous with LoRA stage 2 trains adapters and leaves a plain model', async () => {
    const { model, report } = await trainVariant('continuous', { stage2: 'lora', loraR: 4, loraAlpha: 8, epochs: 3 });
    expect(report.stages.map((s) => s.stage)).toEqual(['prompt', 'lora']);
    const full = report.stages[1]!.trainableParameters;
    expect(full).toBeLessThan(model.lm.parameters().size * 0 + (model.lm as TransformerLM).numParameters());
    expect((model.lm as TransformerLM).linearLayers().every((l) => l.adapter === undefined)).toBe(true);
    expect(typeof (await model.explain('u2', 'i6'))).toBe('string');
    model.dispose();
  });
});

describe('Pepler promptLrScale', () => {
  it("scales the prompt vectors' step and leaves the language model's unchanged (one joint update from the same init)", async () => {
    // the prompts are private state: read them as the trainer sees them
    const prompts = (m: Pepler) => [...(m as unknown as { promptVariables(): Map<string, tf.Variable> }).promptVariables().values()].map((v) => Float32Array.from(v.dataSync()));
    const lmWeights = (m: Pepler) => [...(m.lm as TransformerLM).parameters().values()].map((v) => Float32Array.from(v.dataSync()));
    const oneUpdate = (extra: Partial<PeplerConfig>) =>
      Pepler.train({ lm: tinyLM(), tokenizer: tok, data, config: { variant: 'mf', words: 8, batchSize: data.train.length, epochs: 1, patience: 0, lr: 1e-3, seed: 3, ...extra } });
    const init = await oneUpdate({ lr: 1e-30 }); // a step of 1e-30 leaves every weight at its init
    const base = await oneUpdate({});
    const scaled = await oneUpdate({ promptLrScale: 4 });
    const [p0, p1, p4] = [prompts(init.model), prompts(base.model), prompts(scaled.model)];
    expect(p0.length).toBe(2); // the user and the item tables
    p0.forEach((w0, k) =>
      w0.forEach((x, j) => {
        const d1 = p1[k]![j]! - x;
        expect(Math.abs(p4[k]![j]! - x - 4 * d1)).toBeLessThan(1e-6 + 1e-3 * Math.abs(4 * d1));
      }),
    );
    expect(p1.some((w, k) => w.some((x, j) => x !== p0[k]![j]))).toBe(true);
    const [l1, l4] = [lmWeights(base.model), lmWeights(scaled.model)];
    l1.forEach((w, k) => w.forEach((x, j) => expect(Math.abs(l4[k]![j]! - x)).toBeLessThan(1e-6)));
    for (const r of [init, base, scaled]) r.model.dispose();
    await expect(oneUpdate({ promptLrScale: 0 })).rejects.toThrow(/promptLrScale/);
  });
});

describe('Pepler checkpoints', () => {
  it('a run killed after an epoch and resumed ends with the uninterrupted weights, dropout on (both stages)', async () => {
    const dropLM = () =>
      TransformerLM.create(
        resolveTransformerConfig({ arch: 'gpt2', vocabSize: tok.vocabSize, contextLength: 32, dModel: 32, nLayers: 1, nHeads: 2, dFF: 64, dropout: 0.2 }),
        new Rng(1),
      );
    const config = { variant: 'continuous' as const, words: 8, batchSize: 16, epochs: 3, stage1Epochs: 2, patience: 0, lr: 1e-2, lr2: 5e-3, seed: 3 };
    const weightsOf = (m: Pepler) => [...(m.lm as TransformerLM).parameters().values()].map((v) => v.dataSync().slice() as Float32Array);
    const whole = await Pepler.train({ lm: dropLM(), tokenizer: tok, data, config });
    const dir = join(tmp, 'ckpt');
    // "killed" in stage 2 ('full') after its first epoch's checkpoint
    await expect(
      Pepler.train({
        lm: dropLM(), tokenizer: tok, data, config, checkpointDir: dir,
        onEpochEnd: (e) => {
          if (e.stage === 'full' && e.epoch === 0) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const resumed = await Pepler.train({ lm: dropLM(), tokenizer: tok, data, config, checkpointDir: dir, resume: true });
    const a = weightsOf(whole.model);
    const b = weightsOf(resumed.model);
    a.forEach((w, k) => expect(Buffer.from(b[k]!.buffer).equals(Buffer.from(w.buffer)), `variable ${k}`).toBe(true));
    const pairs = data.test.slice(0, 5).map((r) => ({ user: data.records[r]!.user, item: data.records[r]!.item }));
    expect(await resumed.model.explainBatch(pairs)).toEqual(await whole.model.explainBatch(pairs));
    // the report holds every epoch of both stages, also those trained before the kill
    expect(resumed.report.epochs).toEqual(whole.report.epochs);
    expect(resumed.report.epochs.map((e) => e.stage)).toEqual(['prompt', 'prompt', 'full', 'full', 'full']);
    whole.model.dispose();
    resumed.model.dispose();
  });
});
