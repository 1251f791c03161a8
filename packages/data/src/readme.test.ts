import { it, expect } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

it('README quick start runs and gives the documented results', async () => {
  const mod = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as {
    result: { records: number; train: number; example: Record<string, unknown>; coverage: unknown; mine: { feature: string; opinion: string; sentiment: number }[] };
  };
  const r = mod.result;
  expect(r.records).toBeGreaterThanOrEqual(5000);
  expect(r.train).toBeGreaterThanOrEqual(Math.round(0.8 * r.records));
  expect(Object.keys(r.example)).toEqual(['user', 'item', 'rating', 'feature', 'opinion', 'sentence', 'sentiment']);
  expect(r.coverage).toEqual({ users: [], items: [] });
  expect(r.mine.map((m) => [m.feature, m.opinion, m.sentiment])).toEqual([
    ['tone', 'warm', 1], // the closest feature-opinion pair of the sentence
    ['tuner', 'accurate', -1],
  ]);
});
