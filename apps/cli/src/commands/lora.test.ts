import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadSafetensors } from '@xrec/core';
import { main } from '../main.js';
import { parseTargets } from './lora.js';

const repo = join(import.meta.dirname, '..', '..', '..', '..');
const fixtures = join(repo, 'packages', 'transformer', 'test', 'fixtures');
const reviews = join(repo, 'packages', 'lora', 'test', 'fixtures', 'reviews-sample.txt');
const dir = mkdtempSync(join(tmpdir(), 'xrec-cli-lora-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('xrec train lora', () => {
  it('parses --target like peft', () => {
    expect(parseTargets(undefined)).toBeNull();
    expect(parseTargets('q_proj, v_proj')).toEqual(['q_proj', 'v_proj']);
    expect(parseTargets('all-linear')).toBe('all-linear');
    expect(parseTargets('re:.*\\.(q|v)_proj')).toBe('.*\\.(q|v)_proj');
  });

  it('fine-tunes stories260K on review text and writes a peft adapter (+ merged model)', async () => {
    const out = join(dir, 'run');
    const code = await main([
      'node', 'xrec', 'train', 'lora', '--base', join(fixtures, 'stories260K.bin'), '--tokenizer', join(fixtures, 'tok512.bin'),
      '--text', reviews, '--max-docs', '80', '--r', '4', '--alpha', '8', '--target', 'q_proj,v_proj', '--epochs', '1', '--seq', '32',
      '--batch', '8', '--lr', '0.01', '--warmup', '1', '--out', out, '--merge',
    ]);
    expect(code).toBe(0);
    const cfg = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    expect(cfg).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['q_proj', 'v_proj'], fan_in_fan_out: false });
    const w = await loadSafetensors(join(out, 'adapter_model.safetensors'));
    expect(w.tensors.get('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight')?.shape).toEqual([4, 64]);
    expect(w.tensors.get('base_model.model.model.layers.4.self_attn.v_proj.lora_B.weight')?.shape).toEqual([32, 4]);
    expect(w.tensors.size).toBe(20);
    const summary = JSON.parse(readFileSync(join(out, 'train-summary.json'), 'utf8'));
    expect(summary.parameters.percent).toBeLessThan(5);
    expect(summary.epochs.at(-1).valLoss).toBeLessThan(summary.baseValLoss);
    expect(existsSync(join(out, 'merged', 'model.safetensors'))).toBe(true);

    // xrec generate --adapter: the adapter merged into the base generates what the saved merged model generates
    const gen = async (extra: string[]) => {
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        const c = await main(['node', 'xrec', 'generate', '--tokenizer', join(fixtures, 'tok512.bin'), '--prompt', 'This guitar', '--greedy', '--max-tokens', '24', '--json', ...extra]);
        expect(c).toBe(0);
        return JSON.parse(String(spy.mock.calls.at(-1)![0])).tokens as number[];
      } finally {
        spy.mockRestore();
      }
    };
    const withAdapter = await gen(['--checkpoint', join(fixtures, 'stories260K.bin'), '--adapter', out]);
    const merged = await gen(['--checkpoint', join(out, 'merged')]);
    const base = await gen(['--checkpoint', join(fixtures, 'stories260K.bin')]);
    expect(withAdapter).toEqual(merged);
    expect(withAdapter).not.toEqual(base);
  });

  it('resume with LoRA dropout on is bit-exact (the masks come from the step seed), and a changed setting is refused', async () => {
    const base = ['node', 'xrec', 'train', 'lora', '--base', join(fixtures, 'stories260K.bin'), '--tokenizer', join(fixtures, 'tok512.bin'),
      '--text', reviews, '--max-docs', '60', '--r', '4', '--dropout', '0.2', '--seq', '32', '--batch', '8', '--lr', '0.01', '--warmup', '0', '--schedule', 'constant'];
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const full = join(dir, 'full');
      expect(await main([...base, '--epochs', '2', '--out', full])).toBe(0);
      const part = join(dir, 'part');
      expect(await main([...base, '--epochs', '1', '--out', part])).toBe(0); // stands for a run killed after epoch 1
      expect(await main([...base, '--epochs', '2', '--out', part, '--resume', '--r', '8'])).toBe(2); // changed rank: refused
      expect(await main([...base, '--epochs', '2', '--out', part, '--resume'])).toBe(0);
      const a = await loadSafetensors(join(full, 'adapter_model.safetensors'));
      const b = await loadSafetensors(join(part, 'adapter_model.safetensors'));
      for (const [name, t] of a.tensors) expect(Buffer.from(b.tensors.get(name)!.data).equals(Buffer.from(t.data)), name).toBe(true);
    } finally {
      quiet.mockRestore();
    }
  });

  it('names the bad flag', async () => {
    const code = await main(['node', 'xrec', 'train', 'lora', '--base', join(fixtures, 'stories260K.bin'), '--tokenizer', join(fixtures, 'tok512.bin'), '--text', reviews, '--r', '0', '--out', join(dir, 'bad')]);
    expect(code).toBe(2);
    const code2 = await main(['node', 'xrec', 'train', 'lora', '--base', join(fixtures, 'stories260K.bin'), '--tokenizer', join(fixtures, 'tok512.bin'), '--text', reviews, '--target', 'nope', '--out', join(dir, 'bad')]);
    expect(code2).toBe(2);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await main(['node', 'xrec', 'train', 'lora', '--base', join(fixtures, 'stories260K.bin'), '--tokenizer', join(fixtures, 'tok512.bin'), '--text', reviews, '--bias', 'some', '--out', join(dir, 'bad')]);
      expect(String(err.mock.calls.at(-1)![0])).toMatch(/--bias: LoraConfig\.bias: expected "none", "all" or "lora_only"/);
    } finally {
      err.mockRestore();
    }
  });
});
