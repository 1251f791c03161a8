import { describe, expect, it } from 'vitest';
import { ConfigError } from '@xrec/core';
import { resolvePeplerConfig } from './config.js';

describe('resolvePeplerConfig', () => {
  it('uses the reference defaults per variant', () => {
    expect(resolvePeplerConfig({ variant: 'discrete' }).lr).toBe(1e-4);
    expect(resolvePeplerConfig({ variant: 'continuous' }).lr).toBe(1e-3);
    expect(resolvePeplerConfig({ variant: 'mf' }).ratingReg).toBe(0.01);
    expect(resolvePeplerConfig({ variant: 'mlp' }).ratingReg).toBe(1);
    const c = resolvePeplerConfig({});
    expect([c.words, c.maxNewTokens, c.batchSize, c.patience]).toEqual([20, 20, 128, 5]);
  });

  it('names the bad field', () => {
    expect(() => resolvePeplerConfig({ words: 0 })).toThrow(/words/);
    expect(() => resolvePeplerConfig({ variant: 'x' as never })).toThrow(ConfigError);
    expect(() => resolvePeplerConfig({ variant: 'mf', stage2: 'lora' })).toThrow(/stage2/);
    expect(() => resolvePeplerConfig({ lr: -1 })).toThrow(/lr/);
  });
});
