import { expect, it } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

it('README quick start runs and gives the documented results', async () => {
  const mod = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as { explanation: string; rating: number; stages: string[] };
  expect(typeof mod.explanation).toBe('string');
  expect(mod.rating).toBeGreaterThanOrEqual(1);
  expect(mod.rating).toBeLessThanOrEqual(5);
  expect(mod.stages).toEqual(['joint']);
});
