import { expect, it } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

it('README quick start runs and gives the documented results', async () => {
  const mod = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as { result: { available: boolean; reason?: string; c: number[]; blas?: string } };
  if (!mod.result.available) {
    expect(mod.result.reason).toMatch(/./);
    return;
  }
  expect(mod.result.c).toEqual([4, 2, 10, 5]);
  expect(mod.result.blas).toMatch(/blas|builtin/);
});
