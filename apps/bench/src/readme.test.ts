import { expect, it } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

it('README quick start runs and gives the documented results', async () => {
  const mod = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as { files: string[]; bleu4: number; generated: string; pair: { explanation: string; rating: number } };
  expect(mod.files.map((f) => f.split('/').pop())).toEqual(['report.json', 'report.md', 'val-loss.svg', 'metrics.svg', 'val-loss-rating.svg']);
  expect(mod.bleu4).toBeGreaterThanOrEqual(0);
  expect(mod.pair.explanation).toBe(mod.generated);
  expect(mod.pair.rating).toBeGreaterThanOrEqual(1);
});
