import { describe, it, expect } from 'vitest';
import { ConfigError } from '@xrec/core';
import { learningRateAt, validateLrSchedule } from './schedule.js';

describe('learning-rate schedules', () => {
  it('warms up linearly from lr/W to lr', () => {
    const c = { kind: 'constant' as const, lr: 1, warmupSteps: 4, totalSteps: 100 };
    expect([0, 1, 2, 3, 4, 50].map((s) => learningRateAt(c, s))).toEqual([0.25, 0.5, 0.75, 1, 1, 1]);
  });

  it('decays linearly to minLr at totalSteps', () => {
    const c = { kind: 'linear' as const, lr: 1, warmupSteps: 2, totalSteps: 12, minLr: 0.1 };
    expect(learningRateAt(c, 2)).toBeCloseTo(1, 12);
    expect(learningRateAt(c, 7)).toBeCloseTo(0.1 + 0.9 * 0.5, 12);
    expect(learningRateAt(c, 12)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(c, 30)).toBeCloseTo(0.1, 12);
  });

  it('follows half a cosine after warm-up', () => {
    const c = { kind: 'cosine' as const, lr: 2, warmupSteps: 0, totalSteps: 10 };
    expect(learningRateAt(c, 0)).toBeCloseTo(2, 12);
    expect(learningRateAt(c, 5)).toBeCloseTo(1, 12);
    expect(learningRateAt(c, 10)).toBeCloseTo(0, 12);
    // Monotone non-increasing.
    for (let s = 1; s <= 10; s++) expect(learningRateAt(c, s)).toBeLessThanOrEqual(learningRateAt(c, s - 1));
  });

  it('rejects bad configs naming the field', () => {
    expect(() => validateLrSchedule({ kind: 'step' as never, lr: 1, warmupSteps: 0, totalSteps: 1 })).toThrow(/kind/);
    expect(() => validateLrSchedule({ kind: 'linear', lr: -1, warmupSteps: 0, totalSteps: 1 })).toThrow(ConfigError);
    expect(() => validateLrSchedule({ kind: 'linear', lr: 1, warmupSteps: 1.5, totalSteps: 1 })).toThrow(/warmupSteps/);
    expect(() => validateLrSchedule({ kind: 'linear', lr: 1, warmupSteps: 0, totalSteps: 1, minLr: 2 })).toThrow(/minLr/);
  });
});
