import { rmSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

it('README quick start runs and gives the documented results', async () => {
  const mod = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as {
    result: { report: string; adapted: number; merged: number; base: number; dir: string };
  };
  const r = mod.result;
  console.log(r.report);
  expect(r.report).toMatch(/^trainable params: [\d,]+ \|\| all params: [\d,]+ \|\| trainable%: \d+\.\d{4}$/);
  expect(r.report).toBe('trainable params: 2,048 || all params: 21,760 || trainable%: 9.4118');
  expect(Math.abs(r.adapted - r.merged)).toBeLessThan(1e-5);
  expect(Math.abs(r.adapted - r.base)).toBeGreaterThan(1e-4);
  rmSync(r.dir, { recursive: true, force: true });
});
