import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError, loadSafetensors, Rng, saveSafetensors } from '@xrec/core';
import { initBackend } from './backend.js';
import { resolveTransformerConfig } from './config.js';
import { TransformerLM } from './model.js';

await initBackend();
const dir = mkdtempSync(join(tmpdir(), 'xrec-finite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loading refuses non-finite weights', () => {
  it('a NaN in model.safetensors is a CheckpointError naming the tensor (instead of generating NUL bytes)', async () => {
    const model = TransformerLM.create(resolveTransformerConfig({ arch: 'gpt2', vocabSize: 20, contextLength: 8, dModel: 8, nHeads: 2, nLayers: 1 }), new Rng(0));
    await model.save(dir);
    model.dispose();
    const st = join(dir, 'model.safetensors');
    const file = await loadSafetensors(st);
    const [name, t] = [...file.tensors].find(([n]) => n.includes('ln_f.weight'))!;
    const data = new Float32Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength));
    data[3] = Number.NaN;
    file.tensors.set(name, { ...t, data: new Uint8Array(data.buffer) });
    await saveSafetensors(st, file.tensors, file.metadata);
    const err = await TransformerLM.load(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/tensor '.*ln_f\.weight' holds NaN at flat index 3/);
  });
});
