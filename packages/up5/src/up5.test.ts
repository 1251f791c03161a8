import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@xrec/core';
import { rocAuc } from '@xrec/metrics';
import { initBackend } from '@xrec/transformer';
import { P5Recommender, p5Template, trainP5, trainP5Tokenizer, type RecExample } from '@xrec/p5';
import { attackerAuc, classMmd, Discriminator, encodeUserRows, FairPrefix, macroOvoAuc, trainFairPrefix, userRepresentations, userWordMask } from './index.js';

const items = ['ka', 'lo', 'mu', 'ne', 'po', 'ru'];
const make = (n: number, seed: number): RecExample[] =>
  Array.from({ length: n }, (_, k) => {
    const a = (k * 7 + seed) % 6;
    return { user: String(10 + (k % 13)), history: [items[a]!, items[(a + 1) % 6]!], target: items[(a + 2) % 6]! };
  });

let rec: P5Recommender;
beforeAll(async () => {
  await initBackend();
  const train = make(240, 0);
  const t = p5Template('sequential', 'insurance');
  const tok = trainP5Tokenizer(train.flatMap((e) => [t.source(e), ` ${e.target}`]), 300);
  rec = P5Recommender.create(tok, items, { task: 'sequential', domain: 'insurance' }, { dModel: 32, nHeads: 2, nLayers: 1, dFF: 64, dropout: 0 }, 1);
  await trainP5(rec, { train, batchSize: 32, config: { epochs: 10, lr: 1e-2, warmupSteps: 10 } });
});

describe('user representation', () => {
  it("masks exactly the pieces of the 'User_{id}' word and averages their final encoder states", () => {
    const ex = make(1, 0)[0]!;
    const mask = userWordMask(rec, ex);
    const ids = (rec.source(ex) as number[]).filter((_, i) => mask[i] === 1);
    expect(rec.tokenizer.decode(ids)).toBe('User_10');
    const reps = userRepresentations(rec, [ex, make(2, 3)[1]!]);
    expect(reps.shape).toEqual([2, 32]);
    const h = rec.model.encode({ inputIds: tf.tensor2d([rec.source(ex) as number[]], [1, mask.length], 'int32') });
    const rows = (h.arraySync() as number[][][])[0]!.filter((_, i) => mask[i] === 1);
    const want = rows[0]!.map((_, j) => rows.reduce((a, r) => a + r[j]!, 0) / rows.length);
    const got = (reps.arraySync() as number[][])[0]!;
    got.forEach((v, j) => expect(v).toBeCloseTo(want[j]!, 5));
  });
});

describe('attackers and AUC', () => {
  it('macro one-vs-one AUC: known answers; equals ROC-AUC for two classes', () => {
    expect(macroOvoAuc([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]], [0, 1, 0], 2)).toBe(1);
    const p = [[0.6, 0.4], [0.3, 0.7], [0.55, 0.45], [0.4, 0.6]];
    expect(macroOvoAuc(p, [0, 1, 1, 0], 2)).toBeCloseTo(rocAuc(p.map((r) => r[1]!), [0, 1, 1, 0]), 12);
    expect(macroOvoAuc([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]], [0, 1, 2], 3)).toBe(1);
    expect(() => macroOvoAuc([[1, 0]], [0], 2)).toThrow(/fewer than two classes/);
  });

  it('a fresh attacker finds a planted attribute direction (AUC above 0.9; Bayes-optimal 0.98) and not a random one (near 0.5)', () => {
    const rng = new Rng(3);
    const n = 400;
    const d = 8;
    const labels = Array.from({ length: n }, () => (rng.float() < 0.5 ? 1 : 0));
    const reps = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) reps[i * d + j] = rng.normal() + (j === 2 ? 3 * labels[i]! : 0);
    const split = (a: number, b: number) => ({ reps: reps.slice(a * d, b * d), labels: labels.slice(a, b) });
    const leak = attackerAuc(split(0, 300), split(300, 400), { dModel: d, classes: 2, epochs: 30, lr: 1e-2, batchSize: 32, seed: 1 });
    expect(leak.auc).toBeGreaterThan(0.9);
    expect(leak.hardAuc).toBeGreaterThan(0.8);
    const shuffled = new Rng(9).shuffle([...labels]);
    const none = attackerAuc({ reps: reps.slice(0, 300 * d), labels: shuffled.slice(0, 300) }, { reps: reps.slice(300 * d), labels: shuffled.slice(300) }, { dModel: d, classes: 2, epochs: 30, lr: 1e-2, batchSize: 32, seed: 1 });
    expect(Math.abs(none.auc - 0.5)).toBeLessThan(0.12);
    expect(() => attackerAuc(split(0, 3), { reps: new Float32Array(5), labels: [0] }, { dModel: d, classes: 2 })).toThrow(/must be \[users, 8\]/);
  });
});

describe('counterfactually-fair prompt training', () => {
  it('trains the prompt and the discriminator; the P5 weights stay bit-identical; without the prompt the recommendations are the unfair P5s', async () => {
    const before = new Map([...rec.model.parameters()].map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
    const ex = make(1, 4)[0]!;
    const unfair = rec.rank(ex, 4);
    const prefix = FairPrefix.create('parity', rec.model.config, { tokens: 3 }, new Rng(2));
    const disc = new Discriminator(32, 2, new Rng(5));
    const p0 = new Map([...prefix.variables()].map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
    const d0 = Float32Array.from([...disc.variables().values()][0]!.dataSync());
    const res = await trainFairPrefix(rec, prefix, disc, { train: make(96, 1), labelOf: (u) => Number(u) % 2, epochs: 1, batchSize: 32, lr: 1e-2 });
    expect(res.steps).toBe(3);
    for (const [n, v] of rec.model.parameters()) expect(Float32Array.from(v.dataSync()), n).toEqual(before.get(n));
    expect([...prefix.variables()].some(([n, v]) => v.dataSync().some((x, i) => x !== p0.get(n)![i]))).toBe(true);
    expect(Array.from([...disc.variables().values()][0]!.dataSync())).not.toEqual(Array.from(d0));
    expect(rec.rank(ex, 4)).toEqual(unfair);
    const withPrompt = tf.tidy(() => rec.rank(ex, 4, prefix.prefix()));
    expect(withPrompt.sort()).toEqual([...unfair].sort());
    await expect(trainFairPrefix(rec, prefix, disc, { train: make(4, 1), labelOf: () => undefined })).rejects.toThrow(/none of the 4 training examples has a user with a known parity/);
    prefix.dispose();
    disc.dispose();
  });

  it('discriminatorLr sets the discriminator’s step apart from the prompt’s (UP5: 1e-4 against 1e-3); a bad one is refused', async () => {
    const prefix = FairPrefix.create('parity', rec.model.config, { tokens: 3, dropout: 0 }, new Rng(2));
    const disc = new Discriminator(32, 2, new Rng(5));
    const snap = (m: Map<string, tf.Variable>) => [...m.values()].map((v) => Float32Array.from(v.dataSync()));
    const maxMove = (before: Float32Array[], m: Map<string, tf.Variable>) => Math.max(...[...m.values()].flatMap((v, k) => Array.from(v.dataSync(), (x, i) => Math.abs(x - before[k]![i]!))));
    const p0 = snap(prefix.variables());
    const d0 = snap(disc.variables());
    // one batch, one update of each rule: AdamW's first step moves a coordinate by about its learning rate
    await trainFairPrefix(rec, prefix, disc, { train: make(32, 1), labelOf: (u) => Number(u) % 2, epochs: 1, batchSize: 32, lr: 1e-2, discriminatorLr: 1e-4 });
    const prompt = maxMove(p0, prefix.variables());
    const discriminator = maxMove(d0, disc.variables());
    expect(prompt).toBeGreaterThan(5e-3);
    expect(discriminator / prompt).toBeGreaterThan(0.009);
    expect(discriminator / prompt).toBeLessThan(0.011);
    await expect(trainFairPrefix(rec, prefix, disc, { train: make(32, 1), labelOf: (u) => Number(u) % 2, discriminatorLr: 0 })).rejects.toThrow(/discriminatorLr must be a positive number, got 0/);
    prefix.dispose();
    disc.dispose();
  });

  it('the mmd objective trains the prompt without the discriminator and pulls the classes together', async () => {
    const train = make(192, 1);
    const labelOf = (u: string) => (Number(u) < 16 ? 0 : 1);
    const users = encodeUserRows(rec, train.slice(0, 26));
    const labels = train.slice(0, 26).map((e) => labelOf(e.user));
    const mmd = (p?: FairPrefix) => tf.tidy(() => classMmd(userRepresentations(rec, users, p ? { prefix: p.prefix() } : {}), labels, 2).dataSync()[0]!);
    const prefix = FairPrefix.create('half', rec.model.config, { tokens: 3, dropout: 0 }, new Rng(2));
    const disc = new Discriminator(32, 2, new Rng(5));
    const d0 = [...disc.variables().values()].map((v) => Float32Array.from(v.dataSync()));
    const start = mmd(prefix);
    await trainFairPrefix(rec, prefix, disc, { train, labelOf, epochs: 8, batchSize: 32, lr: 1e-2, lambda: 50, adversary: 'mmd', pretrainDiscriminatorEpochs: 2 });
    expect([...disc.variables().values()].map((v) => Float32Array.from(v.dataSync()))).toEqual(d0);
    expect(mmd(prefix)).toBeLessThan(start / 2);
    expect(mmd()).toBeGreaterThan(mmd(prefix));
    prefix.dispose();
    disc.dispose();
  });
});

describe('saved prompts and fair recommendation', () => {
  it('a save/load round trip gives the same prompts, attackers and lists; hiding nothing gives the unfair P5; bad input is refused', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { fairRecommend, loadUp5Model, saveUp5Prompts } = await import('./index.js');
    const dir = mkdtempSync(join(tmpdir(), 'xrec-up5-'));
    await rec.save(join(dir, 'p5'));
    const mk = (a: string, s: number) => ({
      attribute: a,
      classes: 2,
      labels: ['even', 'odd'],
      prompt: FairPrefix.create(a, rec.model.config, { tokens: 2 }, new Rng(s)),
      attackers: { unfair: new Discriminator(32, 2, new Rng(s + 1)), fair: new Discriminator(32, 2, new Rng(s + 2)) },
    });
    const attrs = [mk('parity', 1), mk('tens', 4)];
    await saveUp5Prompts(dir, attrs);
    const n0 = tf.memory().numTensors;
    const model = await loadUp5Model(dir);
    const ex = make(1, 2)[0]!;
    const got = fairRecommend(model, ex, ['parity', 'tens'], 3);
    const plainList = rec.rankByLikelihood(ex).slice(0, 3);
    expect(got.plain.map((x) => x.item)).toEqual(plainList);
    const none = fairRecommend(model, ex, [], 3);
    expect(none.fair).toEqual(none.plain);
    expect(none.attacker.parity!.with).toEqual(none.attacker.parity!.without);
    // the loaded prompt is the saved one: the same prefix, hence the same scores
    const one = fairRecommend(model, ex, ['parity'], 6);
    const want = tf.tidy(() => rec.scoreItems(ex, one.fair.map((x) => x.item), attrs[0]!.prompt.prefix()));
    one.fair.forEach((x, i) => expect(x.score).toBeCloseTo(want[i]!, 4));
    const rep = tf.tidy(() => userRepresentations(rec, [ex]));
    expect(one.attacker.tens!.without[1]).toBeCloseTo(attrs[1]!.attackers.unfair.probabilities(rep)[0]![1]!, 5);
    rep.dispose();
    expect(() => fairRecommend(model, ex, ['age'], 3)).toThrow(/no prompt for attribute 'age' \(this model has: parity, tens\)/);
    expect(() => fairRecommend(model, ex, [], 0)).toThrow(/k must be a positive integer/);
    model.dispose();
    expect(tf.memory().numTensors).toBe(n0);
    writeFileSync(join(dir, 'up5.json'), JSON.stringify({ format: 'other', version: 1, attributes: [] }));
    await expect(loadUp5Model(dir)).rejects.toThrow(/is not an xrec UP5 file/);
    await expect(loadUp5Model(join(dir, 'missing'))).rejects.toThrow(/up5.json not found/);
    await expect(saveUp5Prompts(dir, [attrs[0]!, attrs[0]!])).rejects.toThrow(/attribute 'parity' appears twice/);
    for (const a of attrs) {
      a.prompt.dispose();
      a.attackers.unfair.dispose();
      a.attackers.fair.dispose();
    }
  });
});

describe('prompt mixture', () => {
  it('mixes two frozen prompts into one of the same shape; training moves the mixture and the discriminators only', async () => {
    const { PromptMixture, trainPromptMixture } = await import('./index.js');
    const prompts = ['parity', 'tens'].map((a, i) => FairPrefix.create(a, rec.model.config, { tokens: 3 }, new Rng(20 + i)));
    const discs = prompts.map((_, i) => new Discriminator(32, 2, new Rng(30 + i)));
    const mixture = new PromptMixture(rec.model.config, { tokens: 3 }, new Rng(7));
    const snap = (m: Map<string, tf.Variable>) => new Map([...m].map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
    const p5Before = snap(rec.model.parameters() as Map<string, tf.Variable>);
    const promptsBefore = prompts.map((p) => snap(p.variables()));
    const mixBefore = snap(mixture.variables());
    const discBefore = snap(discs[0]!.variables());
    tf.tidy(() => {
      const one = prompts[0]!.prefix();
      const mixedOne = mixture.prefix([prompts[0]!]);
      expect(Array.from(mixedOne.encoder!.k[0]!.dataSync())).toEqual(Array.from(one.encoder!.k[0]!.dataSync()));
      const both = mixture.prefix(prompts);
      for (const part of ['encoder', 'decoder', 'cross'] as const) expect(both[part]!.k[0]!.shape).toEqual(one[part]!.k[0]!.shape);
    });
    const ex = make(1, 4)[0]!;
    const res = await trainPromptMixture(rec, mixture, prompts, discs, { train: make(64, 1), labelOf: (a, u) => (a === 'parity' ? Number(u) % 2 : Number(Number(u) >= 20)), batchSize: 32, lr: 1e-2, epochs: 1 });
    expect(res.steps).toBe(2);
    const same = (a: Map<string, Float32Array>, m: Map<string, tf.Variable>) => [...m].every(([n, v]) => v.dataSync().every((x, i) => x === a.get(n)![i]));
    expect(same(p5Before, rec.model.parameters() as Map<string, tf.Variable>)).toBe(true);
    prompts.forEach((p, i) => expect(same(promptsBefore[i]!, p.variables())).toBe(true));
    expect(same(mixBefore, mixture.variables())).toBe(false);
    expect(same(discBefore, discs[0]!.variables())).toBe(false);
    const ranked = tf.tidy(() => rec.rank(ex, 4, mixture.prefix(prompts)));
    expect(ranked).toHaveLength(4);
    await expect(trainPromptMixture(rec, mixture, [prompts[0]!], [discs[0]!], { train: make(4, 1), labelOf: () => 0 })).rejects.toThrow(/at least two prompts/);
    // saved with the prompts and loaded back, the mixture is what fairRecommend uses for several hidden attributes
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { fairRecommend, loadUp5Model, saveUp5Prompts } = await import('./index.js');
    const dir = mkdtempSync(join(tmpdir(), 'xrec-up5-mix-'));
    await rec.save(join(dir, 'p5'));
    await saveUp5Prompts(dir, prompts.map((p, i) => ({ attribute: p.attribute, classes: 2, prompt: p, attackers: { unfair: discs[i]!, fair: discs[i]! } })), mixture);
    const model = await loadUp5Model(dir);
    expect(model.mixture).toBeDefined();
    const got = fairRecommend(model, ex, ['parity', 'tens'], 6);
    const want = tf.tidy(() => rec.scoreItems(ex, got.fair.map((x) => x.item), mixture.prefix(prompts)));
    got.fair.forEach((x, i) => expect(x.score).toBeCloseTo(want[i]!, 4));
    model.dispose();
    for (const x of [...prompts, ...discs, mixture]) x.dispose();
  });

  it('keepWeight scales the unselected attributes’ keep terms: 1 is UP5’s loss, 0 leaves recommendation and hiding', async () => {
    const { encodeExamples, p5Batches } = await import('@xrec/p5');
    const { mixtureLosses, PromptMixture, trainPromptMixture } = await import('./index.js');
    const attrs = ['parity', 'tens', 'fives'];
    const labelOf = (a: string, u: string) => (a === 'parity' ? Number(u) % 2 : a === 'tens' ? Number(Number(u) >= 20) : Number(Number(u) % 5 === 0));
    const prompts = attrs.map((a, i) => FairPrefix.create(a, rec.model.config, { tokens: 3, dropout: 0 }, new Rng(40 + i)));
    const discs = attrs.map((_, i) => new Discriminator(32, 2, new Rng(50 + i)));
    const mixture = new PromptMixture(rec.model.config, { tokens: 3 }, new Rng(8));
    const exs = make(16, 2);
    const batch = { ...p5Batches(encodeExamples(rec, exs), 16)[0]!, users: encodeUserRows(rec, exs), labels: attrs.map((a) => exs.map((e) => labelOf(a, e.user))), subset: [0, 1] };
    const loss = (keep: number) => tf.tidy(() => mixtureLosses(rec, mixture, prompts, discs, 2, 'mmd', keep).mixture(batch, 0).dataSync()[0]!);
    const keepTerm = tf.tidy(() => discs[2]!.loss(userRepresentations(rec, batch.users, { prefix: mixture.prefix([prompts[0]!, prompts[1]!]) }), batch.labels[2]!).dataSync()[0]!);
    expect(keepTerm).toBeGreaterThan(0);
    expect(loss(1) - loss(0)).toBeCloseTo(2 * keepTerm, 4);
    expect(loss(0.5) - loss(0)).toBeCloseTo(keepTerm, 4);
    await expect(trainPromptMixture(rec, mixture, prompts, discs, { train: exs, labelOf, keepWeight: -1 })).rejects.toThrow(/keepWeight must be a number ≥ 0, got -1/);
    for (const x of [...prompts, ...discs, mixture]) x.dispose();
  });
});
