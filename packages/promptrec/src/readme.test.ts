import { expect, it } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

it('README quick start verbalizes a profile and scores it', async () => {
  const mod = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as { result: { prompt: string; p: number[]; metrics: { n: number } } };
  expect(mod.result.prompt).toContain('The Toy Story is categorized as a animated and comedy movie for children .');
  expect(mod.result.p.every((x) => x > 0 && x < 1)).toBe(true);
  expect(mod.result.metrics.n).toBe(2);
});
