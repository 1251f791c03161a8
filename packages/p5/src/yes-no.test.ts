import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@xrec/core';
import { initBackend } from '@xrec/transformer';
import { evaluateRanker, itemTokenName, p5Template, userTokenName, P5Recommender, rankByYesNo, scoreYesNo, trainP5, trainP5Tokenizer, yesNoExamples, yesNoPrompt, type RecExample } from './index.js';

// a toy world: even users choose among ka/lo/mu, odd users among ne/po/ru (the user id says which); candidates mix both halves
const items = ['ka', 'lo', 'mu', 'ne', 'po', 'ru'];
const liked = (u: number) => (u % 2 ? items.slice(3) : items.slice(0, 3));
const make = (n: number, seed: number): RecExample[] =>
  Array.from({ length: n }, (_, k) => {
    const u = (k * 5 + seed) % 16;
    const mine = liked(u);
    const target = mine[(k + seed) % 3]!;
    const others = items.filter((i) => !mine.includes(i));
    const candidates = new Rng(k + 100 * seed).shuffle([target, others[k % 3]!, others[(k + 1) % 3]!]);
    return { user: `${u % 2 ? 'odd' : 'even'}${u}`, history: [], target, candidates };
  });

describe('P5 item tokens and the yes/no prompt', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('yesNoExamples: the target as yes, other candidates as no; wording per domain', () => {
    const ex = make(4, 0);
    const yn = yesNoExamples(ex, new Rng(1), 2);
    expect(yn).toHaveLength(12);
    for (const [k, e] of ex.entries()) {
      expect(yn[3 * k]).toEqual({ user: e.user, item: e.target, answer: 'yes' });
      for (const n of yn.slice(3 * k + 1, 3 * k + 3)) {
        expect(n.answer).toBe('no');
        expect(e.candidates).toContain(n.item);
        expect(n.item).not.toBe(e.target);
      }
    }
    expect(yesNoPrompt('7', '42')).toBe('Will user_7 likely to interact with item_42 ?');
    expect(yesNoPrompt('7', 'P5DA', 'insurance')).toBe('Will user_7 likely to purchase insurance_P5DA ?');
    expect(() => yesNoExamples([{ user: '1', history: [], target: 'ka' }], new Rng(0))).toThrow(/user 1 has no candidates/);
    expect(() => yesNoExamples(ex, new Rng(0), -1)).toThrow(/negatives must be a non-negative integer/);
  });

  it('item tokens: one token per item in prompts and answers; trained with yes/no prompts, both rankings prefer the liked items; save → load keeps the tokens', async () => {
    const train = make(320, 0);
    const tmpl = p5Template('direct', 'movie');
    const tok = trainP5Tokenizer(train.flatMap((e) => [tmpl.source(e), ' yes', ' no']), 300);
    const rec = P5Recommender.create(tok, items, { task: 'direct', domain: 'movie', itemTokens: true }, { dModel: 32, nHeads: 2, nLayers: 1, dFF: 64, dropout: 0 }, 2);
    expect(rec.tokenizer.vocabSize).toBe(tok.vocabSize + items.length);
    const kaId = rec.tokenizer.specialTokens[itemTokenName('ka')]!;
    expect(rec.target('ka')).toEqual([kaId, rec.tokenizer.eosId]);
    expect(rec.prompt(train[0]!)).toContain(itemTokenName(train[0]!.candidates![0]!));
    const src = rec.source(train[0]!) as number[];
    for (const c of train[0]!.candidates!) expect(src).toContain(rec.tokenizer.specialTokens[itemTokenName(c)]);
    expect(rec.yesNoSource('3', 'ka') as number[]).toContain(kaId);

    await trainP5(rec, { train, yesNo: yesNoExamples(train, new Rng(3), 1), batchSize: 32, config: { epochs: 25, lr: 3e-3, warmupSteps: 10 } });
    const test = make(24, 7);
    // one liked item among three candidates: chance is 1/3. This toy run's hit@1 depends on float rounding
    // (0.71 on tfjs-wasm's matmul, 0.79 on xrec's SIMD one, 1.0 with native BLAS); the yes/no scores below
    // rank all 24 right on each.
    expect(evaluateRanker(test, (ex) => rec.rank(ex, 20)).metrics['hit@1']).toBeGreaterThan(0.65);
    let right = 0;
    for (const ex of test) {
      const s = scoreYesNo(rec, ex, ex.candidates!);
      const yesTarget = s[ex.candidates!.indexOf(ex.target)]!;
      if (s.every((v, k) => ex.candidates![k] === ex.target || v < yesTarget)) right++;
      expect(rankByYesNo(rec, ex).sort()).toEqual([...ex.candidates!].sort());
      expect(rec.rank(ex, 20)).toEqual(rec.rankByLikelihood(ex));
    }
    expect(right).toBeGreaterThanOrEqual(22);
    // batches of one prompt score the same as one batch
    const ex0 = test[0]!;
    const a = scoreYesNo(rec, ex0, ex0.candidates!, 1);
    const b = scoreYesNo(rec, ex0, ex0.candidates!);
    for (const [k, v] of a.entries()) expect(v).toBeCloseTo(b[k]!, 4);

    const dir = mkdtempSync(join(tmpdir(), 'xrec-p5-it-'));
    try {
      await rec.save(join(dir, 'm'));
      const again = await P5Recommender.load(join(dir, 'm'));
      expect(again.rank(ex0, 20)).toEqual(rec.rank(ex0, 20));
      expect(again.target('ru')).toEqual(rec.target('ru'));
      again.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => new P5Recommender(rec.model, tok, items, { task: 'direct', domain: 'movie', itemTokens: true })).toThrow(/has no token '<item_ka>'/);
    rec.dispose();
  });

  it('user tokens: one token per known user in both prompts, an unknown user keeps the plain id; a per-user preference no id piece reveals is learned through them', async () => {
    // opaque names: nothing in a user's pieces says which half of the items the user likes
    const names = ['qav', 'ziru', 'mobek', 'tal', 'wes', 'purn', 'cadi', 'hox', 'lum', 'bev', 'tarok', 'siv', 'gop', 'nura', 'vek', 'dasi'];
    const opaque = (exs: RecExample[]) => exs.map((e) => ({ ...e, user: names[Number(e.user.replace(/\D/g, ''))]! }));
    const train = opaque(make(320, 0));
    const tmpl = p5Template('direct', 'movie');
    const tok = trainP5Tokenizer(train.flatMap((e) => [tmpl.source(e), yesNoPrompt(e.user, e.target), ' yes', ' no']), 300);
    expect(() => P5Recommender.create(tok, items, { task: 'direct', domain: 'movie', userTokens: true }, { dModel: 16, nHeads: 2, nLayers: 1, dFF: 32 }, 2)).toThrow(/userTokens needs the users/);
    const rec = P5Recommender.create(tok, items, { task: 'direct', domain: 'movie', itemTokens: true, userTokens: true }, { dModel: 32, nHeads: 2, nLayers: 1, dFF: 64, dropout: 0 }, 2, names);
    expect(rec.tokenizer.vocabSize).toBe(tok.vocabSize + items.length + names.length);
    const qav = rec.tokenizer.specialTokens[userTokenName('qav')]!;
    expect(rec.yesNoSource('qav', 'ka') as number[]).toContain(qav);
    expect(rec.prompt({ user: 'qav', history: [], target: 'ka', candidates: ['ka', 'lo'] })).toBe('Which item of the following to recommend for user_<user_qav> ? <item_ka> , <item_lo>');
    expect(rec.prompt({ user: 'newcomer', history: [], target: 'ka', candidates: ['ka'] })).toBe('Which item of the following to recommend for user_newcomer ? <item_ka>');

    await trainP5(rec, { train: [], yesNo: yesNoExamples(train, new Rng(3), 2), batchSize: 32, embeddingLrScale: 10, config: { epochs: 60, lr: 3e-3, warmupSteps: 10 } });
    const test = opaque(make(48, 7));
    expect(evaluateRanker(test, (ex) => rankByYesNo(rec, ex)).metrics['hit@1']).toBeGreaterThan(0.9);
    rec.dispose();
  });
});
