import { it, expect } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

it('README quick start runs and gives the documented results', async () => {
  const mod = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as { result: { loss: number; continuation: number[]; parameters: number } };
  const { loss, continuation, parameters } = mod.result;
  expect(Math.abs(loss - Math.log(64))).toBeLessThan(0.5);
  expect(continuation).toHaveLength(5);
  expect(continuation.every((t) => Number.isInteger(t) && t >= 0 && t < 64)).toBe(true);
  // embed 64·32 + per layer (2 norms 32 + q,o 32·32 + k,v 32·16 + 3 MLP 32·96) + final norm + lm_head 32·64
  expect(parameters).toBe(64 * 32 + 2 * (64 + 2 * 1024 + 2 * 512 + 3 * 32 * 96) + 32 + 32 * 64);
});
