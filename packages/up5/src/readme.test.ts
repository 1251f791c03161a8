import { expect, it } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

it('README quick start trains a toy P5 and a fairness prompt', async () => {
  const mod = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as { shape: number[] };
  expect(mod.shape).toEqual([1, 32]);
}, 120_000);
