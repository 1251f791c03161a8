import { describe, expect, it } from 'vitest';
import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';

describe('README', () => {
  it('quick start runs and does what it says', async () => {
    const mod = (await runReadmeQuickStart(`${import.meta.dirname}/..`)) as { result: { ids: number[]; text: string; same: boolean; specials: Record<string, number> } };
    expect(mod.result.text).toBe('great strings');
    expect(mod.result.ids[0]).toBe(270);
    expect(mod.result.ids[mod.result.ids.length - 1]).toBe(271);
    expect(mod.result.same).toBe(true);
    expect(mod.result.specials).toEqual({ '<bos>': 270, '<eos>': 271, '<pad>': 272 });
  });
});
