import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadNativeKernels, NATIVE_ENV } from './index.js';

const load = loadNativeKernels();
const k = load.kernels;

describe.skipIf(!k)(`@xrec/native addon ${k ? '' : `(not available: ${load.reason})`}`, () => {
  it('multiplies with transpose flags, broadcast and alpha/beta (known answer)', () => {
    // A = [[1, 2, 3], [4, 5, 6]], B = [[1, 0], [0, 1], [1, 1]]: A B = [[4, 5], [10, 11]]
    const a = Float32Array.of(1, 2, 3, 4, 5, 6);
    const b = Float32Array.of(1, 0, 0, 1, 1, 1);
    const c = new Float32Array(4).fill(1);
    k!.sgemmBatched(0, 0, 1, 2, 2, 3, a, 0, b, 0, c, 0, 1, 0);
    expect(Array.from(c)).toEqual([4, 5, 10, 11]);
    // Aᵀ stored as [3, 2]; C = 2 · op(A) B + 1 · C
    const at = Float32Array.of(1, 4, 2, 5, 3, 6);
    k!.sgemmBatched(1, 0, 1, 2, 2, 3, at, 0, b, 0, c, 0, 2, 1);
    expect(Array.from(c)).toEqual([12, 15, 30, 33]);
    // a batch of two A's against one broadcast B
    const a2 = Float32Array.of(1, 2, 3, 4, 5, 6, 0, 0, 1, 0, 0, 0);
    const c2 = new Float32Array(8);
    k!.sgemmBatched(0, 0, 2, 2, 2, 3, a2, 6, b, 0, c2, 4, 1, 0);
    expect(Array.from(c2)).toEqual([4, 5, 10, 11, 1, 1, 0, 0]);
  });

  it('rejects bad arguments with a typed message instead of writing past an array', () => {
    const small = new Float32Array(3);
    expect(() => k!.sgemmBatched(0, 0, 1, 2, 2, 3, small, 0, small, 0, small, 0, 1, 0)).toThrow(/sgemmBatched: A needs 6 elements but has 3/);
    expect(() => k!.gelu(new Float32Array(4), new Float32Array(2), new Float32Array(4))).toThrow(/gelu: y needs 4 elements but has 2/);
    expect(() => k!.softmaxRows(new Float64Array(4) as unknown as Float32Array, new Float32Array(4), 2, 2)).toThrow(/argument 0 must be a Float32Array/);
    expect(() => k!.sgemmBatched(0, 0, 1, -1, 2, 3, small, 0, small, 0, small, 0, 1, 0)).toThrow(/non-negative integer/);
  });

  it('softmax rows sum to one and follow exp', () => {
    const z = Float32Array.of(0, Math.log(3), 10, 10, -1e9, 0);
    const p = new Float32Array(6);
    k!.softmaxRows(z, p, 2, 3);
    expect(p[1]! / p[0]!).toBeCloseTo(3, 5);
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 6);
    expect(p[4]).toBe(0);
    expect(p[3]).toBeCloseTo(1 / (1 + Math.exp(-10)), 6);
  });

  it('the builtin GEMM (no BLAS) gives the BLAS result', () => {
    const script = `
      const k = require(${JSON.stringify(load.path)});
      const a = Float32Array.from({ length: 35 }, (_, i) => Math.sin(i));
      const b = Float32Array.from({ length: 35 }, (_, i) => Math.cos(i));
      const c = new Float32Array(25);
      k.sgemmBatched(0, 1, 1, 5, 5, 7, a, 0, b, 0, c, 0, 1, 0);
      console.log(JSON.stringify({ info: k.info(), c: Array.from(c) }));`;
    const run = (env: Record<string, string>) => {
      const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as { info: { blas: string }; c: number[] };
    };
    const builtin = run({ XREC_BLAS: 'builtin' });
    const blas = run({});
    expect(builtin.info.blas).toBe('builtin');
    builtin.c.forEach((v, i) => expect(v).toBeCloseTo(blas.c[i]!, 5));
  });
});

describe('loading', () => {
  it('says why when the addon is off, and loads again when allowed', () => {
    const saved = process.env[NATIVE_ENV];
    try {
      process.env[NATIVE_ENV] = '0';
      const off = loadNativeKernels({ reload: true });
      expect(off.kernels).toBeUndefined();
      expect(off.reason).toBe('XREC_NATIVE=0');
    } finally {
      if (saved === undefined) delete process.env[NATIVE_ENV];
      else process.env[NATIVE_ENV] = saved;
    }
    expect(loadNativeKernels({ reload: true }).reason).toBe(load.reason);
  });
});
