import { describe, expect, it } from 'vitest';
import { entityColdStart } from './index.js';

describe('user / item cold start', () => {
  // 50 users with 3 to 12 rows each
  const keys = Array.from({ length: 50 }, (_, u) => Array.from({ length: 3 + (u % 10) }, () => `u${u}`)).flat();

  it('holds out every row of 20% of the keys; few-shot rows come from the warm rest; seeded', () => {
    const s = entityColdStart(keys, 7, { train: 100, valid: 20 });
    const cold = new Set(s.test.map((i) => keys[i]));
    expect(cold.size).toBe(10);
    expect(s.test.length + s.warm.length).toBe(keys.length);
    expect(s.test.length).toBe(keys.filter((k) => cold.has(k)).length); // all of a cold key's rows
    for (const i of [...s.warm, ...s.train, ...s.valid]) expect(cold.has(keys[i]!)).toBe(false);
    expect(s.train).toHaveLength(100);
    expect(s.valid).toHaveLength(20);
    expect(new Set([...s.train, ...s.valid]).size).toBe(120);
    expect(entityColdStart(keys, 7, { train: 100, valid: 20 })).toEqual(s);
    expect(new Set(entityColdStart(keys, 8, { train: 100, valid: 20 }).test.map((i) => keys[i]))).not.toEqual(cold);
  });

  it('refuses impossible settings', () => {
    expect(() => entityColdStart(keys, 1, { share: 1 })).toThrow(/share must be in \(0, 1\)/);
    expect(() => entityColdStart(['a', 'b'], 1, { share: 0.2 })).toThrow(/2 distinct keys leave no cold or no warm one/);
    expect(() => entityColdStart(keys, 1, { train: 1000 })).toThrow(/1000 \+ 50 few-shot rows but only \d+ warm rows/);
  });
});
