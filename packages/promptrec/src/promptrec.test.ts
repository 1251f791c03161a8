import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { datasetForTest, Rng } from '@xrec/core';
import { loadCoupons, loadMovieLens100K } from '@xrec/data';
import { initBackend, loadCheckpointDir, resolveTransformerConfig, TransformerLM } from '@xrec/transformer';
import { loadTokenizer } from '@xrec/tokenizer';
import { ageWord, clickMetrics, couponPrompt, genreSlots, joinWords, labelId, movieLensPrompt, movieTitle, promptTokens, renderTemplate, scorePrompts, stateOfZip, systemColdStart } from './index.js';

const ml = datasetForTest('movielens-100k');

describe('PromptRec verbalizer and template', () => {
  it('words of the reference: ages, titles, genre lists, states; missing optional slots vanish', () => {
    expect([13, 14, 20, 21, 35, 36, 65, 66].map(ageWord)).toEqual(['childhood', 'teenage', 'teenage', 'young', 'young', 'middle aged', 'middle aged', 'old']);
    expect(movieTitle('Toy Story (1995)')).toBe('Toy Story');
    expect(movieTitle('Usual Suspects, The (1995)')).toBe('Usual Suspects');
    expect(movieTitle('The Godfather (1972)')).toBe('Godfather');
    expect([joinWords(['a']), joinWords(['a', 'b']), joinWords(['a', 'b', 'c'])]).toEqual(['a', 'a and b', 'a, b, and c']);
    expect(genreSlots(['Animation', "Children's", 'Comedy'])).toEqual({ categories: 'animated and comedy', kid: 'for children' });
    expect(genreSlots(['Romance', 'Thriller'])).toEqual({ categories: 'romatic and horrible', kid: undefined });
    expect([stateOfZip('85711'), stateOfZip('94043'), stateOfZip('10003'), stateOfZip('T8H1N')]).toEqual(['Arizona', 'California', 'New York', undefined]);
    expect(renderTemplate('a {age} {occupation} {area}.', { age: 'young', occupation: 'writer' }, new Set(['area']))).toBe('a young writer.');
    expect(() => renderTemplate('a {age}', {}, new Set())).toThrow(/slot 'age' has no value and is not optional/);
  });

  it.skipIf(!ml.path)(`ML-100K user 1 and "Toy Story (1995)" give the paper's template word for word ${ml.skipReason ?? ''}`, () => {
    const d = loadMovieLens100K(ml.path!);
    const u1 = d.users.find((u) => u.user === '1')!;
    const toy = d.items.find((i) => i.item === '1')!;
    expect(movieLensPrompt(u1, toy, { sep: '[SEP]', mask: '[MASK]' })).toBe(
      'The man is a young technician living in Arizona. The Toy Story is categorized as a animated and comedy movie for children . [SEP] The user is that man, and the item is that movie. In short, the user feels [MASK] about the item.',
    );
    expect(movieLensPrompt(u1, toy, { sep: '<eos>' })).toMatch(/<eos> The user is that man, and the item is that movie\. In short, the user's attitude towards the item is$/);
  });
});

describe('PromptRec scoring and protocol', () => {
  it('p(like) = σ(z_pos − z_neg) of the next token; system cold start 250 / 50 / rest; GAUC', async () => {
    await initBackend();
    const base = join(import.meta.dirname, '..', '..', '..', 'models', 'xrec-base');
    const { config } = await loadCheckpointDir(base);
    const model = TransformerLM.create(resolveTransformerConfig({ ...config, nLayers: 1 }), new Rng(0));
    const tok = await loadTokenizer(join(base, 'tokenizer.json'));
    const [neg, pos] = [labelId(tok, 'negative'), labelId(tok, 'positive')];
    expect(neg).not.toBe(pos);
    const prompts = ['The battery lasts.', 'The man is a young writer.'];
    const p = scorePrompts(model, tok, prompts, { batchSize: 1 });
    prompts.forEach((t, i) => {
      const r = tok.encode(t);
      const z = tf.tidy(() => (model.forward({ ids: tf.tensor2d([r], [1, r.length], 'int32') }).logits.arraySync() as number[][][])[0]![r.length - 1]!);
      expect(p[i]).toBeCloseTo(1 / (1 + Math.exp(z[neg]! - z[pos]!)), 5);
    });
    const s = systemColdStart(1000, 41905);
    expect([s.train.length, s.valid.length, s.test.length]).toEqual([250, 50, 700]);
    expect(new Set([...s.train, ...s.valid, ...s.test]).size).toBe(1000);
    expect(systemColdStart(1000, 41905).test).toEqual(s.test);
    const m = clickMetrics(['a', 'a', 'b', 'b'], [0.9, 0.1, 0.2, 0.8], [1, 0, 0, 1]);
    expect([m.auc, m.gauc, m.acc, m.f1]).toEqual([1, 1, 1, 1]);
    model.dispose();
  });

  it('masked LM: p(like) from the label logits at the one mask position (bidirectional context); separators and masks per tokenizer', async () => {
    await initBackend();
    const base = join(import.meta.dirname, '..', '..', '..', 'models', 'xrec-base');
    const tok = (await loadTokenizer(join(base, 'tokenizer.json'))).withSpecialTokens(['<mask>']);
    const model = TransformerLM.create(resolveTransformerConfig({ arch: 'bert', vocabSize: tok.vocabSize, contextLength: 128, dModel: 32, nLayers: 1, nHeads: 2, dropout: 0 }), new Rng(1));
    const causal = TransformerLM.create(resolveTransformerConfig({ arch: 'gpt2', vocabSize: tok.vocabSize, contextLength: 128, dModel: 32, nLayers: 1, nHeads: 2 }), new Rng(1));
    expect(promptTokens(model, tok)).toEqual({ sep: '<eos>', mask: '<mask>' });
    expect(promptTokens(causal, tok)).toEqual({ sep: '<eos>' });
    const u1 = { user: '1', age: 24, gender: 'M', occupation: 'technician', zip: '85711' };
    const toy = { item: '1', title: 'Toy Story (1995)', releaseDate: '01-Jan-1995', imdbUrl: '', genres: ['Animation', "Children's", 'Comedy'] };
    const prompt = movieLensPrompt(u1, toy, promptTokens(model, tok));
    const ids = tok.encode(prompt, { allowSpecial: true });
    expect(ids.filter((i) => i === tok.maskId)).toHaveLength(1);
    expect(ids).toContain(tok.eosId);
    const at = ids.indexOf(tok.maskId!);
    expect(tok.decode([ids[at - 1]!])).toBe(' feels'); // the mask takes its left space (no lone ' ' token), as in pre-training
    const [neg, pos] = [labelId(tok, 'negative'), labelId(tok, 'positive')];
    const [p] = scorePrompts(model, tok, [prompt]);
    const z = tf.tidy(() => (model.forward({ ids: tf.tensor2d([ids], [1, ids.length], 'int32') }).logits.arraySync() as number[][][])[0]![at]!);
    expect(p).toBeCloseTo(1 / (1 + Math.exp(z[neg]! - z[pos]!)), 5);
    // the words after the mask matter (bidirectional)
    const [q] = scorePrompts(model, tok, [prompt.replace('about the item', 'about the movie')]);
    expect(Math.abs(q! - p!)).toBeGreaterThan(1e-8); // a random init's small weights move it by ~1e-7
    expect(() => scorePrompts(model, tok, ['no mask here'])).toThrow(/has 0 mask tokens; a masked-LM prompt needs exactly one/);
    expect(() => scorePrompts(model, tok, ['<mask> and <mask>'])).toThrow(/has 2 mask tokens/);
    model.dispose();
    causal.dispose();
  });

  const coupons = datasetForTest('uci-in-vehicle-coupon');
  it.skipIf(!coupons.path)(`coupon rows read as the reference's template with its value maps ${coupons.skipReason ?? ''}`, () => {
    const d = loadCoupons(coupons.path!);
    const r = d.rows[0]!;
    expect(couponPrompt(r.user, r.item, { sep: '[SEP]', mask: '[MASK]' })).toBe(
      'It is a cold sunny afternoon. The freelance is a low income and young woman driving to somewhere. ' +
        'A famous restaurant located in the opposite driving direction is close, and sends a coupon that expires in one day. ' +
        '[SEP] The user is that driver, and the item is that coupon. In short, the user feels [MASK] about the item.',
    );
    const withKids = d.rows.find((x) => x.user.passanger === 'Kid(s)')!;
    expect(couponPrompt(withKids.user, withKids.item, { sep: '<eos>' })).toMatch(/ driving \S+( \S+)* with kids\. A /);
    for (const x of d.rows) expect(() => couponPrompt(x.user, x.item, { sep: '<eos>' })).not.toThrow();
  });
});

