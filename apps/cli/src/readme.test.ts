import { it, expect } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

it('README quick start lists the registered commands', async () => {
  const mod = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as { commands: string[] };
  expect(mod.commands).toEqual(expect.arrayContaining(['doctor', 'data', 'metrics', 'train', 'bench', 'explain', 'tokenizer', 'generate']));
});
