import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConfigError, DataError, recordingProgress } from '@xrec/core';
import { loadAmazonReviews } from './amazon.js';
import { buildDatasetFromFile } from './build-file.js';
import { buildExplanationDataset } from './builder.js';
import { resolveBuilderConfig } from './builder-config.js';
import { loadExplanationDataset } from './explanation-dataset.js';
import { coverageViolations } from './splits.js';
import { BUNDLED_REVIEWS, snapshotDir, tmp } from '../test/helpers.js';

// A subset keeps the suite fast: the first 1,500 reviews, with thresholds scaled down accordingly.
const SUBSET = 1500;
const CFG = { minFeatureReviews: 6, minPhraseReviews: 4, minOpinionCount: 3 };
const WORD = /[\p{L}\p{N}]/u;

let subsetFile: string;
beforeAll(() => {
  const lines = gunzipSync(readFileSync(BUNDLED_REVIEWS)).toString('utf8').split('\n').slice(0, SUBSET);
  subsetFile = join(tmp(), 'subset.json.gz');
  writeFileSync(subsetFile, gzipSync(`${lines.join('\n')}\n`));
});

describe('explanation-dataset builder', () => {
  it('same seed → byte-identical output; another seed → other splits, same records', async () => {
    const root = tmp();
    const progress = recordingProgress();
    const a = await buildDatasetFromFile(subsetFile, join(root, 'a'), { config: { ...CFG, seed: 7 }, progress });
    await buildDatasetFromFile(subsetFile, join(root, 'b'), { config: { ...CFG, seed: 7 } });
    const c = await buildDatasetFromFile(subsetFile, join(root, 'c'), { config: { ...CFG, seed: 8 } });
    const sa = snapshotDir(join(root, 'a'));
    const sb = snapshotDir(join(root, 'b'));
    expect([...sa.keys()]).toEqual([...sb.keys()]);
    for (const [k, v] of sa) expect(v.equals(sb.get(k) as Buffer), k).toBe(true);
    expect([...sa.keys()]).toEqual(expect.arrayContaining(['explanations.arrow', 'reviews.jsonl', 'meta.json', 'features.txt', join('1', 'train.index'), join('5', 'test.index')]));
    const sc = snapshotDir(join(root, 'c'));
    expect(sc.get('explanations.arrow')?.equals(sa.get('explanations.arrow') as Buffer)).toBe(true);
    expect(sc.get(join('1', 'test.index'))?.equals(sa.get(join('1', 'test.index')) as Buffer)).toBe(false);
    expect(c.built.splits[0]?.test).not.toEqual(a.built.splits[0]?.test);
    // the five splits of one seed differ from each other too
    expect(a.built.splits[0]?.test).not.toEqual(a.built.splits[1]?.test);
    expect(progress.events.some((e) => e.kind === 'start' && e.label === 'tagging reviews')).toBe(true);
    expect(progress.events.some((e) => e.kind === 'update' && e.label === 'tagging reviews' && e.value === SUBSET)).toBe(true);
  });

  it('records obey the rules: 4..30 words, feature and opinion in the sentence, ±1 sentiment; 8:1:1 splits with coverage', async () => {
    const { records: reviews } = await loadAmazonReviews(subsetFile);
    const b = buildExplanationDataset(reviews, CFG);
    expect(b.records.length).toBeGreaterThan(500);
    const lexicon = new Set(b.featureLexicon.map((f) => f.feature));
    const polarity = new Map(b.opinionLexicon.map((o) => [o.word, o.polarity]));
    for (const r of b.records) {
      const words = r.sentence.split(/\s+/).filter((w) => WORD.test(w)).length;
      expect(words).toBeGreaterThanOrEqual(3); // tokenizer splits "don't" into 2 words; whitespace count may be lower
      expect(words).toBeLessThanOrEqual(30);
      expect(lexicon.has(r.feature)).toBe(true);
      expect(polarity.has(r.opinion)).toBe(true);
      expect(r.sentence.toLowerCase()).toContain(r.opinion);
      // named by its most frequent surface form: the sentence holds it or another inflection (strings / string)
      const stem = (r.feature.split(' ')[0] as string).replace(/(ies|es|s)$/, '');
      expect(r.sentence.toLowerCase()).toContain(stem.slice(0, Math.max(3, stem.length - 1)));
      expect([1, -1]).toContain(r.sentiment);
    }
    expect(b.splits).toHaveLength(5);
    const n = b.records.length;
    const users = b.records.map((r) => r.user);
    const items = b.records.map((r) => r.item);
    for (const s of b.splits) {
      expect(s.train.length + s.validation.length + s.test.length).toBe(n);
      expect(new Set([...s.train, ...s.validation, ...s.test]).size).toBe(n);
      expect(s.train.length).toBeGreaterThanOrEqual(Math.round(0.8 * n));
      expect(s.validation.length).toBeGreaterThan(0);
      expect(s.test.length).toBeGreaterThan(0);
      expect(coverageViolations(users, items, s)).toEqual({ users: [], items: [] });
    }
    // every review contributes at most one record per sentence
    expect(new Set(b.records.map((r) => `${r.user}|${r.item}|${r.sentence}`)).size).toBe(n);
  });

  it('the written dataset loads back through loadExplanationDataset and the PETER JSON lines match', async () => {
    const out = join(tmp(), 'built');
    const { built } = await buildDatasetFromFile(subsetFile, out, { config: CFG, name: 'mi-subset' });
    const ds = await loadExplanationDataset(out);
    expect(ds.name).toBe('mi-subset');
    expect(ds.records).toEqual(built.records);
    expect(ds.splits.map((s) => s.test)).toEqual(built.splits.map((s) => s.test));
    expect(ds.features).toEqual(built.features);
    expect(ds.ratingRange).toEqual([1, 5]);
    const lines = readFileSync(join(out, 'reviews.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(built.records.length);
    const r0 = built.records[0];
    expect(lines[0]).toEqual({ user: r0?.user, item: r0?.item, rating: r0?.rating, template: [r0?.feature, r0?.opinion, r0?.sentence, r0?.sentiment] });
  });

  it('corrupt input (non-JSON line, truncated .gz): DataError and nothing is written to --out', async () => {
    const root = tmp();
    const badJson = join(root, 'bad.json');
    const lines = gunzipSync(readFileSync(subsetFile)).toString('utf8').split('\n').slice(0, 200);
    lines.splice(120, 0, '{"reviewerID": "X", "asin": ');
    writeFileSync(badJson, lines.join('\n'));
    const out = join(root, 'out');
    await expect(buildDatasetFromFile(badJson, out, { config: CFG })).rejects.toThrow(/bad\.json:121: not valid JSON/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).sort()).toEqual(['bad.json']);

    const trunc = join(root, 'trunc.json.gz');
    const gz = readFileSync(subsetFile);
    writeFileSync(trunc, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const err = await buildDatasetFromFile(trunc, out, { config: CFG }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(existsSync(out)).toBe(false);

    // An existing output directory survives a failed rebuild untouched.
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'old');
    await expect(buildDatasetFromFile(badJson, out, { config: CFG })).rejects.toThrow(DataError);
    expect(readdirSync(out)).toEqual(['keep.txt']);
    expect(readdirSync(root).sort()).toEqual(['bad.json', 'out', 'trunc.json.gz']);
  });

  it('too little data for any record is a clear DataError; bad config names the field', () => {
    expect(() => buildExplanationDataset([{ user: 'u', item: 'i', rating: 5, text: 'Nice.' }])).toThrow(/no sentence of 4\.\.30 words holds both a feature and an opinion/);
    expect(() => buildExplanationDataset([], {})).toThrow(/no reviews/);
    expect(() => resolveBuilderConfig({ minWords: 10, maxWords: 5 })).toThrow(ConfigError);
    expect(() => resolveBuilderConfig({ ratios: [0.5, 0.2, 0.2] })).toThrow(/ratios must sum to 1/);
    expect(() => resolveBuilderConfig({ maxPairDistance: 0 })).toThrow(/BuilderConfig\.maxPairDistance/);
  });
});
