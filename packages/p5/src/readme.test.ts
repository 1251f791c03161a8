import { expect, it } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

it('README quick start trains a toy P5 that ranks the next item first', async () => {
  const mod = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as { result: { 'hit@1': number; examples: number } };
  expect(mod.result.examples).toBe(12);
  expect(mod.result['hit@1']).toBeGreaterThan(0.8);
}, 120_000);
