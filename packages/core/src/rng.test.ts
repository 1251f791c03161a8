import { describe, it, expect } from 'vitest';
import { Rng, hashString } from './rng.js';
import { ConfigError } from './errors.js';

const draw = (r: Rng, n = 20) => Array.from({ length: n }, () => r.uint32());

describe('Rng', () => {
  it('gives identical streams for one seed and different streams for another', () => {
    expect(draw(new Rng(7))).toEqual(draw(new Rng(7)));
    expect(draw(new Rng(7))).not.toEqual(draw(new Rng(8)));
  });
  it('restores from its state mid-stream', () => {
    const a = new Rng(3);
    draw(a, 5);
    const b = Rng.fromState(JSON.parse(JSON.stringify(a.getState())));
    expect(draw(b)).toEqual(draw(a));
  });
  it('split gives an independent child and fork is independent of draws so far', () => {
    const a = new Rng(1);
    const child = a.split();
    expect(draw(child)).not.toEqual(draw(a));
    const b = new Rng(1);
    const f1 = b.fork('dropout');
    draw(b, 100);
    expect(draw(b.fork('dropout'))).toEqual(draw(f1));
    expect(draw(new Rng(1).fork('x'))).not.toEqual(draw(new Rng(1).fork('y')));
  });
  it('int covers its inclusive range uniformly, float stays in [0,1), normal has mean 0 and std 1', () => {
    const r = new Rng(11);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[r.int(1, 6) - 1]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < 50000; i++) {
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / 50000)).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(s2 / 50000) - 1)).toBeLessThan(0.02);
  });
  it('permutation is a permutation and shuffles deterministically', () => {
    const p = new Rng(5).permutation(100);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(new Rng(5).permutation(100)).toEqual(p);
  });
  it('rejects bad arguments with ConfigError', () => {
    expect(() => new Rng(1.5)).toThrow(ConfigError);
    expect(() => new Rng(1).int(3, 2)).toThrow(/lo <= hi/);
    expect(() => new Rng(1).choice([])).toThrow(ConfigError);
    expect(() => Rng.fromState({ seed: 1, state: [1] })).toThrow(ConfigError);
  });
  it('hashString is FNV-1a', () => {
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).toBe(0xe40c292c);
  });
});
