import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { is, resolveConfig, type ConfigSpec } from './config.js';

interface Demo {
  readonly words: number;
  readonly maxNewTokens: number;
  readonly lr: number;
  readonly mode: 'a' | 'b';
  readonly note?: string;
}
const spec: ConfigSpec<Demo> = {
  words: { check: is.int(1), default: 15 },
  maxNewTokens: { check: is.int(1), default: (c) => c.words! }, // computed from another field, no sentinel
  lr: { check: is.num(0, { exclusive: true }), default: 1e-3 },
  mode: { check: is.oneOf(['a', 'b']), default: 'a' },
  note: { check: is.str(), optional: true },
};

describe('resolveConfig', () => {
  it('fills constant and computed defaults, keeps given values, freezes', () => {
    const c = resolveConfig('Demo', spec, { words: 20 });
    expect(c).toEqual({ words: 20, maxNewTokens: 20, lr: 1e-3, mode: 'a' });
    expect(resolveConfig('Demo', spec, { maxNewTokens: 5, note: undefined }).maxNewTokens).toBe(5);
    expect(Object.isFrozen(c)).toBe(true);
  });
  it('rejects unknown fields with the closest name, and bad values naming the field', () => {
    expect(() => resolveConfig('Demo', spec, { wrods: 3 })).toThrow("Demo: unknown field 'wrods' (did you mean 'words'?)");
    expect(() => resolveConfig('Demo', spec, { zzzzzzzz: 3 })).toThrow(/known: words, maxNewTokens, lr, mode, note/);
    expect(() => resolveConfig('Demo', spec, { lr: 0 })).toThrow('Demo.lr: must be a finite number > 0, got 0');
    expect(() => resolveConfig('Demo', spec, { mode: 'c' })).toThrow('Demo.mode: must be one of a, b, got "c"');
    expect(() => resolveConfig('Demo', spec, { words: 1.5 })).toThrow(ConfigError);
    expect(() => resolveConfig('Demo', spec, [1])).toThrow(/expected an object/);
    expect(() => resolveConfig('Demo', { x: { check: is.int() } } as ConfigSpec<{ x: number }>, {})).toThrow('Demo.x: required');
  });
});
