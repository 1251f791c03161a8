import { it, expect } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

it('README quick start runs and gives the documented results', async () => {
  const mod = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as { result: Record<string, unknown> };
  expect(mod.result.w).toEqual([1, 2, 3, 4]);
  expect(mod.result.errCode).toBe('XREC_CHECKPOINT');
  expect((mod.result.order as number[]).slice().sort()).toEqual([0, 1, 2, 3, 4]);
  expect(mod.result.fields).toEqual(['user', 'item', 'rating', 'feature', 'opinion', 'sentence', 'sentiment']);
});
