import { expect, it } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

it('README quick start runs and gives the documented results', async () => {
  const mod = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as { answer: { explanations: { variant: string; text: string }[]; retrieval: { text: string } }; missing: { code: string; message: string } };
  expect(mod.answer.explanations.map((e) => e.variant)).toEqual(['pepler-d', 'pepler', 'pepler-mlp']);
  expect(mod.answer.retrieval.text.length).toBeGreaterThan(0);
  expect(mod.missing).toMatchObject({ code: 'view_unavailable', message: expect.stringMatching(/not loaded \(--views\)/) as unknown as string });
}, 300_000);
