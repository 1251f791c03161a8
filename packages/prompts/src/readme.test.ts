import { expect, it } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

it('README quick start trains a prefix on a frozen model', async () => {
  const mod = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as { result: { first: number; last: number; variables: string[]; generated: number[] } };
  expect(mod.result.last).toBeLessThan(mod.result.first);
  expect(mod.result.variables).toEqual(['embedding.weight', 'transform.0.weight', 'transform.0.bias', 'transform.2.weight', 'transform.2.bias']);
  expect(mod.result.generated).toHaveLength(3);
});
