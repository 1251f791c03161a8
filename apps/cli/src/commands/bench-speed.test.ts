import { describe, it, expect, vi } from 'vitest';
import { main } from '../main.js';
import { findTorchPython } from './bench-speed.js';

const tiny = ['bench', 'speed', '--vocab', '64', '--d-model', '16', '--heads', '2', '--layers', '1', '--seq', '8', '--batch', '2', '--steps', '3', '--warmup', '1', '--json'];

async function runJson(argv: string[]): Promise<Record<string, unknown>> {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  try {
    expect(await main(['node', 'xrec', ...argv])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(out.join('').trim()) as Record<string, unknown>;
}

let torchPython: string | undefined;
try {
  torchPython = findTorchPython();
} catch {
  torchPython = undefined;
}

describe('xrec bench speed', () => {
  it('prints one JSON object with backend, tokens/s (median of timed steps), config and machine', async () => {
    const o = await runJson(tiny);
    expect(['node', 'wasm', 'cpu']).toContain(o.backend);
    expect(o.tokens_per_s).toBeGreaterThan(0);
    expect(o.step_ms).toHaveLength(3);
    expect(o.step_cpu_ms).toHaveLength(3);
    expect(o.tokens_per_cpu_s).toBeGreaterThan(0);
    const sorted = [...(o.step_ms as number[])].sort((a, b) => a - b);
    expect(o.tokens_per_s).toBeCloseTo((2 * 8) / (sorted[1]! / 1000), 6);
    expect(o.config).toMatchObject({ arch: 'gpt2', vocab: 64, d_model: 16, heads: 2, layers: 1, seq: 8, batch: 2, steps: 3, d_ff: 64 });
    expect(o.machine).toHaveProperty('node', process.version);
    expect((o.num_tensors as { after_warmup: number; after: number }).after_warmup).toBeGreaterThan(0);
  });

  it('--repeat reports the median over repeats', async () => {
    const o = await runJson([...tiny, '--repeat', '3']);
    const runs = o.tokens_per_s_runs as number[];
    expect(runs).toHaveLength(3);
    expect(o.tokens_per_s).toBe([...runs].sort((a, b) => a - b)[1]);
  });

  it.skipIf(!torchPython)('--torch runs the PyTorch reference on the same config and reports the ratio', async () => {
    const o = await runJson([...tiny, '--arch', 'llama', '--kv-heads', '1', '--torch']);
    const t = o.torch as { impl: string; tokens_per_s: number; config: Record<string, unknown>; loss_first: number };
    expect(t.impl).toBe('pytorch');
    expect(t.config).toMatchObject({ arch: 'llama', vocab: 64, d_model: 16, heads: 2, kv_heads: 1, layers: 1, d_ff: (o.config as { d_ff: number }).d_ff });
    // Same init scale and random tokens: both start near ln(vocab).
    expect(t.loss_first).toBeCloseTo(Math.log(64), 0);
    expect(o.loss_first as number).toBeCloseTo(Math.log(64), 0);
    expect(o.ratio_vs_torch).toBeCloseTo((o.tokens_per_s as number) / t.tokens_per_s, 9);
    expect(o.ratio_vs_torch_cpu).toBeCloseTo((o.tokens_per_cpu_s as number) / (t as unknown as { tokens_per_cpu_s: number }).tokens_per_cpu_s, 9);
  });
});
