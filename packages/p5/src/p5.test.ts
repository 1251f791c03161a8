import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@xrec/transformer';
import type { Interaction } from '@xrec/data';
import {
  BprMf,
  directExamples,
  encodeSource,
  encodeTarget,
  evaluateRanker,
  insuranceProduct,
  leaveOneOutSequential,
  NextItemTransformer,
  P5Recommender,
  p5Template,
  popularityRanker,
  recMetrics,
  shuffledSequentialSplits,
  trainP5,
  trainP5Tokenizer,
  type RecExample,
} from './index.js';

const rows = (pairs: string): Interaction[] => pairs.split(' ').map((p) => { const [user, item, time] = p.split(':'); return { user: user!, item: item!, ...(time ? { time: Number(time) } : {}) }; });

describe('P5 protocols', () => {
  it("Insurance sequential (UP5): users split 80/10/10 with no overlap; each target is one of the user's items and never in the history", () => {
    const data: Interaction[] = [];
    for (let u = 0; u < 50; u++) for (let i = 0; i < 1 + (u % 4); i++) data.push({ user: `u${u}`, item: `i${(u + i) % 7}` });
    const s = shuffledSequentialSplits(data, 3);
    const users = (xs: RecExample[]) => new Set(xs.map((x) => x.user));
    const [tr, va, te] = [users(s.train), users(s.validation), users(s.test)];
    for (const u of va) expect(tr.has(u) || te.has(u)).toBe(false);
    for (const u of te) expect(tr.has(u)).toBe(false);
    expect(tr.size + va.size + te.size).toBe(50 - 13); // the 13 users with one purchase have no history
    expect(tr.size).toBe(Math.ceil(37 * 0.8));
    for (const ex of [...s.train, ...s.validation, ...s.test]) {
      const items = data.filter((r) => r.user === ex.user).map((r) => r.item);
      expect(new Set([...ex.history, ex.target])).toEqual(new Set(items));
      expect(ex.history).not.toContain(ex.target);
    }
    // every purchase but one is a target once per training user (n − 1 shuffles)
    expect(s.train.filter((x) => x.user === [...tr][0]).length).toBe(data.filter((r) => r.user === [...tr][0]).length - 1);
    expect(shuffledSequentialSplits(data, 3)).toEqual(s);
  });

  it('MovieLens leave-one-out: test = last by time, validation = second to last, histories cut to the most recent maxHistory', () => {
    const data = rows('a:1:5 a:2:1 a:3:3 a:4:4 a:5:2 a:6:6 b:1:1 b:2:2');
    const s = leaveOneOutSequential(data, { minInteractions: 5, maxHistory: 3 });
    expect(s.test).toEqual([{ user: 'a', history: ['3', '4', '1'], target: '6' }]);
    expect(s.validation).toEqual([{ user: 'a', history: ['5', '3', '4'], target: '1' }]);
    expect(s.train.map((x) => x.target)).toEqual(['5', '3', '4']);
    expect(s.train[0]!.history).toEqual(['2']);
    expect(() => leaveOneOutSequential(data, { minInteractions: 10 })).toThrow(/no user has 10 or more/);
  });

  it('direct candidates: the target plus unseen items only (all of them, or n sampled), shuffled', () => {
    const cat = ['1', '2', '3', '4', '5', '6'];
    const seen = rows('a:1 a:2 b:3');
    const all = directExamples(rows('a:1'), seen, cat, { seed: 1 });
    expect([...all[0]!.candidates!].sort()).toEqual(['1', '3', '4', '5', '6']);
    const some = directExamples(rows('a:2 b:3'), seen, cat, { negatives: 2, seed: 1 });
    for (const ex of some) {
      expect(ex.candidates).toHaveLength(3);
      expect(ex.candidates).toContain(ex.target);
      for (const c of ex.candidates!) if (c !== ex.target) expect(seen.some((r) => r.user === ex.user && r.item === c)).toBe(false);
    }
    expect(() => directExamples(rows('a:1'), seen, cat, { negatives: 5, seed: 1 })).toThrow(/has 4 unseen items, 5 were asked for/);
  });

  it("templates use P5's and UP5's wording with ids as words", () => {
    expect(p5Template('sequential', 'insurance').source({ user: '7', history: ['P5DA', 'RVSZ'], target: 'K6QO' })).toBe('User_7 has purchased P5DA , RVSZ, predict next possible insurance to be bought by the user ?');
    expect(p5Template('direct', 'insurance').source({ user: '7', history: [], target: 'K6QO', candidates: ['K6QO', 'P5DA'] })).toBe('Which insurance of the following to recommend for user_7 ? \n K6QO , P5DA');
    expect(p5Template('sequential', 'movie').source({ user: '3', history: ['12', '7'], target: '9' })).toBe('Given the following purchase history of user_3 : 12 , 7 predict next possible item to be purchased by the user ?');
    expect(() => p5Template('direct', 'movie').source({ user: '3', history: [], target: '9' })).toThrow(/has no candidates/);
    expect([1, 8, 21].map((i) => insuranceProduct(String(i)))).toEqual(['P5DA', 'RVSZ', 'ECY3']);
    expect(() => insuranceProduct('22')).toThrow(/not one of the 21 products/);
  });

  it('hit@k and NDCG@k of ranked lists (known answers)', () => {
    const m = recMetrics([['a', 'b', 'c'], ['x', 'y'], ['q']], ['a', 'y', 'z']);
    expect(m['hit@1']).toBeCloseTo(1 / 3, 12);
    expect(m['hit@3']).toBeCloseTo(2 / 3, 12);
    expect(m['ndcg@5']).toBeCloseTo((1 + 1 / Math.log2(3)) / 3, 12);
    expect(m.examples).toBe(3);
  });
});

describe('P5 baselines', () => {
  it('popularity ranks the valid items by training count; BPR-MF learns two taste groups', () => {
    const cat = ['a', 'b', 'c', 'd'];
    const pop = popularityRanker(rows('u:a v:a w:a u:b v:b x:c'), cat);
    expect(pop({ user: 'z', history: ['a'], target: 'c' })).toEqual(['b', 'c', 'd']);
    expect(pop({ user: 'z', history: [], target: 'c', candidates: ['d', 'c'] })).toEqual(['c', 'd']);
    const data: Interaction[] = [];
    for (let u = 0; u < 40; u++) for (const it of u % 2 ? ['a', 'b'] : ['c', 'd']) if ((u + it.charCodeAt(0)) % 5 !== 0) data.push({ user: `u${u}`, item: it });
    const bpr = new BprMf(data, cat, { epochs: 60, seed: 1 });
    let right = 0;
    for (let u = 0; u < 40; u++) {
      const mine = u % 2 ? ['a', 'b'] : ['c', 'd'];
      const other = u % 2 ? ['c', 'd'] : ['a', 'b'];
      if (Math.min(...mine.map((i) => bpr.score(`u${u}`, i))) > Math.max(...other.map((i) => bpr.score(`u${u}`, i)))) right++;
    }
    expect(right).toBeGreaterThanOrEqual(36);
    expect(() => new BprMf(rows('u:zz'), cat)).toThrow(/item 'zz' of user 'u' is not in the catalogue/);
    expect(() => new BprMf(data, cat, { lr: -1 })).toThrow(/lr must be a finite number/);
  });
});

describe('NextItemTransformer (SASRec-style, decoder core)', () => {
  it('learns that the next item follows the last one in a cycle, ranking only valid items', async () => {
    await initBackend();
    const cat = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const seqs = Array.from({ length: 60 }, (_, u) => Array.from({ length: 8 }, (_, k) => cat[(u + k) % 7]!));
    const nit = await NextItemTransformer.train(seqs, cat, { dModel: 16, nLayers: 1, nHeads: 2, maxLength: 6, epochs: 15, lr: 1e-2, dropout: 0, batchSize: 16 });
    const rank = nit.ranker(cat);
    let hits = 0;
    for (let s = 0; s < 7; s++) {
      const history = [cat[s]!, cat[(s + 1) % 7]!, cat[(s + 2) % 7]!];
      const r = rank({ user: 'x', history, target: cat[(s + 3) % 7]! });
      expect(r).toHaveLength(4);
      if (r[0] === cat[(s + 3) % 7]) hits++;
    }
    expect(hits).toBeGreaterThanOrEqual(6);
    expect(() => nit.scores(['zz'])).toThrow(/item 'zz' is not in the catalogue/);
    expect(() => nit.scores([])).toThrow(/an empty history/);
    nit.dispose();
    await expect(NextItemTransformer.train([['a']], cat)).rejects.toThrow(/no sequence has two or more items/);
  });
});

describe('P5Recommender', () => {
  beforeAll(async () => {
    await initBackend();
  });

  // a toy world: the next item is the successor of the last one in a 6-item cycle
  const items = ['ka', 'lo', 'mu', 'ne', 'po', 'ru'];
  const next = (i: string) => items[(items.indexOf(i) + 1) % items.length]!;
  const make = (n: number, seed: number): RecExample[] =>
    Array.from({ length: n }, (_, k) => {
      const start = (k * 7 + seed) % 6;
      const history = [items[start]!, items[(start + 1) % 6]!];
      return { user: String(k % 13), history, target: next(history[1]!) };
    });

  it('learns a sequential rule; beam ranking returns only valid items and equals the likelihood ranking on direct prompts; save → load ranks the same', async () => {
    const train = make(240, 0);
    const tmpl = p5Template('sequential', 'movie');
    const tok = trainP5Tokenizer(train.flatMap((e) => [tmpl.source(e), ` ${e.target}`]).concat(items.map((i) => ` ${i}`)), 300);
    const src = encodeSource(tok, 'user_3 : ka , lo');
    expect(src.ids[src.ids.length - 1]).toBe(tok.eosId);
    expect(src.wholeWordIds[src.wholeWordIds.length - 1]).toBe(0);
    expect(Math.max(...src.wholeWordIds)).toBe(5); // user_3, :, ka, ",", lo
    expect(encodeTarget(tok, 'ka').at(-1)).toBe(tok.eosId);
    const rec = P5Recommender.create(tok, items, { task: 'sequential', domain: 'movie', wholeWord: true }, { dModel: 32, nHeads: 2, nLayers: 1, dFF: 64, dropout: 0 }, 1);
    const res = await trainP5(rec, { train, validation: make(24, 3), batchSize: 32, config: { epochs: 20, lr: 1e-2, warmupSteps: 10 } });
    expect(res.epochs.at(-1)!.valLoss!).toBeLessThan(0.3);
    const test = make(30, 5);
    const { metrics, ranked } = evaluateRanker(test, (ex) => rec.rank(ex, 5));
    expect(metrics['hit@1']).toBeGreaterThan(0.9);
    for (const [k, r] of ranked.entries()) {
      expect(r.length).toBe(4); // the six items without the two in the history
      for (const i of r) expect(items.filter((x) => !test[k]!.history.includes(x))).toContain(i);
    }
    const direct: RecExample = { user: '4', history: [], target: 'mu', candidates: ['po', 'mu', 'ka', 'ne'] };
    const drec = new P5Recommender(rec.model, tok, items, { task: 'direct', domain: 'movie', wholeWord: true });
    expect(drec.rank(direct, 20)).toEqual(drec.rankByLikelihood(direct));
    expect(drec.rank(direct, 20).sort()).toEqual(['ka', 'mu', 'ne', 'po']);
    const dir = mkdtempSync(join(tmpdir(), 'xrec-p5-'));
    try {
      await rec.save(join(dir, 'm'));
      const again = await P5Recommender.load(join(dir, 'm'));
      expect(again.rank(test[0]!, 5)).toEqual(rec.rank(test[0]!, 5));
      await rec.save(join(dir, 'm')); // a P5 save may be replaced
      mkdirSync(join(dir, 'mine'));
      writeFileSync(join(dir, 'mine', 'notes.txt'), 'keep');
      await expect(rec.save(join(dir, 'mine'))).rejects.toThrow(/not a P5 save/);
      again.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => rec.target('zz')).toThrow(/item 'zz' is not in the catalogue/);
    rec.dispose();
  });
});
