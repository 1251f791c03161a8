import { expect, it } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

it('README quick start runs and gives the documented results', async () => {
  const { result } = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as {
    result: { m: Record<string, number>; tokens: string[]; rank: Record<string, number>; auc: number };
  };
  expect(result.m).toMatchObject({ n: 2, usr: 1, usn: 2, fmr: 1, fcr: 0.5, div: 0 });
  expect(Object.keys(result.m)).toContain('rmse');
  expect(result.tokens).toEqual(['Breakfast', 'was', "n't", 'great', '.']);
  expect(result.rank).toMatchObject({ hr: 1, mrr: 0.5 });
  expect(result.rank.ndcg).toBeCloseTo(1 / Math.log2(3), 15);
  expect(result.auc).toBe(0.875);
});
