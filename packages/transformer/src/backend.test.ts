import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, describeBackend, BACKEND_ENV } from './backend.js';
import { BackendError } from '@xrec/core';

describe('initBackend', () => {
  it('picks a working backend (wasm where tfjs-node cannot load) and reports why faster ones were skipped', async () => {
    const saved = process.env[BACKEND_ENV];
    delete process.env[BACKEND_ENV];
    try {
      const r = await initBackend();
      expect(['node', 'wasm', 'cpu']).toContain(r.choice);
      expect(tf.getBackend()).toBe(r.tfBackend);
      if (r.choice !== 'node') expect(r.notes.some((n) => n.startsWith('tfjs-node unavailable'))).toBe(true);
      expect(describeBackend(r)).toMatch(/tfjs 4\./);
      // Idempotent.
      expect(await initBackend()).toBe(r);
    } finally {
      if (saved !== undefined) process.env[BACKEND_ENV] = saved;
    }
  });

  it('can be forced to cpu and back to wasm, and computes the same matmul on both', async () => {
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const b = tf.tensor2d([[5, 6], [7, 8]]);
    const cpu = await initBackend({ force: 'cpu' });
    expect(cpu.tfBackend).toBe('cpu');
    const onCpu = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]])).arraySync();
    const wasm = await initBackend({ force: 'wasm' });
    expect(wasm.tfBackend).toBe('wasm');
    const onWasm = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]])).arraySync();
    expect(onWasm).toEqual(onCpu);
    expect(onCpu).toEqual([[19, 22], [43, 50]]);
    a.dispose();
    b.dispose();
  });

  it('rejects an unknown backend name with a BackendError', async () => {
    await expect(initBackend({ force: 'tpu' })).rejects.toThrow(BackendError);
    await expect(initBackend({ force: 'tpu' })).rejects.toThrow(/unknown backend 'tpu'/);
  });
});
