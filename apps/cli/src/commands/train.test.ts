import { describe, it, expect, beforeAll, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSafetensors, Rng } from '@xrec/core';
import { saveTokenizer, trainBpe } from '@xrec/tokenizer';
import { hasTrainCheckpoint, readTrainState, TransformerLM } from '@xrec/transformer';
import { batchWindows } from '@xrec/transformer';
import { main } from '../main.js';

const readTrainStateSafe = (d: string) => (existsSync(d) && hasTrainCheckpoint(d) ? readTrainState(d) : undefined);
const bin = join(import.meta.dirname, '..', '..', 'dist', 'bin.js');
const words = ['the', 'guitar', 'strings', 'sound', 'bright', 'and', 'warm', 'tuner', 'works', 'well', 'cable', 'is', 'long', 'great', 'value'];

let dir: string;
let textFile: string;
let tokFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xrec-train-lm-'));
  const rng = new Rng(3);
  const lines = Array.from({ length: 120 }, () => Array.from({ length: rng.int(4, 12) }, () => rng.choice(words)).join(' '));
  textFile = join(dir, 'corpus.txt');
  writeFileSync(textFile, `${lines.join('\n')}\n`);
  tokFile = join(dir, 'tok.json');
  await saveTokenizer(trainBpe(lines, { vocabSize: 290 }), tokFile);
});

const args = (out: string, extra: string[] = []) => [
  'train', 'lm', '--text', textFile, '--tokenizer', tokFile, '--arch', 'gpt2', '--d-model', '16', '--layers', '1', '--heads', '2',
  '--seq', '16', '--batch', '4', '--warmup', '2', '--lr', '0.01', '--seed', '5', '--out', out, ...extra,
];

describe('xrec train lm', () => {
  it('batchWindows packs [B, seq+1] rows in the given order', () => {
    const windows = [Int32Array.of(1, 2, 3), Int32Array.of(4, 5, 6), Int32Array.of(7, 8, 9)];
    const b = batchWindows(windows, [2, 0, 1], 2, 2);
    expect(b.map((x) => x.size)).toEqual([2, 1]);
    expect(Array.from(b[0]!.ids)).toEqual([7, 8, 9, 1, 2, 3]);
    expect(b[0]!.tokens).toBe(4);
  });

  it('pre-trains a tiny GPT-2 on text and writes the model, a JSON-lines log, a summary and a checkpoint', async () => {
    const out = join(dir, 'run1');
    const code = await main(['node', 'xrec', ...args(out, ['--epochs', '2'])]);
    expect(code).toBe(0);
    for (const f of ['model.safetensors', 'config.json', 'train-log.jsonl', 'train-summary.json', 'checkpoint/trainer-state.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const summary = JSON.parse(readFileSync(join(out, 'train-summary.json'), 'utf8')) as { epochs: { trainLoss: number; valLoss: number }[] };
    expect(summary.epochs).toHaveLength(2);
    expect(summary.epochs[1]!.trainLoss).toBeLessThan(summary.epochs[0]!.trainLoss);
    const log = readFileSync(join(out, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log.filter((r) => r.type === 'epoch').map((r) => typeof r.val_loss)).toEqual(['number', 'number']);
    const model = await TransformerLM.load(out);
    expect(model.config.dModel).toBe(16);
    expect(model.config.vocabSize).toBe(293);
    model.dispose();
  });

  it('rejects a missing corpus and a bad flag with a clear error', async () => {
    const errs: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      errs.push(String(s));
      return true;
    });
    try {
      expect(await main(['node', 'xrec', ...args(join(dir, 'bad'), ['--text', join(dir, 'nope.txt')])])).toBe(2);
      expect(errs.join('')).toMatch(/DataError.*--text: file not found: .*nope\.txt/);
      expect(await main(['node', 'xrec', ...args(join(dir, 'bad'), ['--epochs', '0'])])).toBe(2);
      expect(errs.join('')).toMatch(/ConfigError.*--epochs: expected an integer >= 1, got '0'/);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses to start over a resumable run without --resume or --overwrite, and an --out that is a file', async () => {
    const errs: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      errs.push(String(s));
      return true;
    });
    try {
      const out = join(dir, 'run1'); // written by the first test, with a checkpoint
      const stateBefore = readFileSync(join(out, 'checkpoint', 'trainer-state.json'), 'utf8');
      expect(await main(['node', 'xrec', ...args(out)])).toBe(2);
      expect(errs.join('')).toMatch(/holds a resumable run \(checkpoint\/\); pass --resume to continue it or --overwrite/);
      expect(readFileSync(join(out, 'checkpoint', 'trainer-state.json'), 'utf8')).toBe(stateBefore);
      const file = join(dir, 'a-file');
      writeFileSync(file, 'mine');
      expect(await main(['node', 'xrec', ...args(file)])).toBe(2);
      expect(errs.join('')).toMatch(/--out .*a-file: is an existing file/);
      expect(await main(['node', 'xrec', ...args(join(file, 'sub'))])).toBe(2);
      expect(errs.join('')).toMatch(/is a file, so the folder cannot be created below it/);
      expect(readFileSync(file, 'utf8')).toBe('mine');
      // --overwrite starts over: one run's log, not two
      expect(await main(['node', 'xrec', ...args(out, ['--overwrite'])])).toBe(0);
      const log = readFileSync(join(out, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
      expect(log.filter((r) => r.type === 'epoch')).toHaveLength(5);
    } finally {
      spy.mockRestore();
    }
  });

  it('--resume refuses changed settings, listing them (--force-config continues); --json prints the summary; the model folder is self-contained', async () => {
    const errs: string[] = [];
    const out = join(dir, 'changed');
    const spyErr = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      errs.push(String(s));
      return true;
    });
    const outs: string[] = [];
    const spyOut = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      outs.push(String(s));
      return true;
    });
    try {
      expect(await main(['node', 'xrec', ...args(out, ['--epochs', '1', '--json'])])).toBe(0);
      const summary = JSON.parse(outs.join('')) as { epochs: unknown[]; out: string };
      expect(summary.epochs).toHaveLength(1);
      expect(await main(['node', 'xrec', ...args(out, ['--epochs', '2', '--resume', '--lr', '0.02', '--batch', '8'])])).toBe(2);
      expect(errs.join('')).toMatch(/the configuration changed since the checkpoint: lr 0\.01 → 0\.02, batch 4 → 8 .*--force-config/);
      expect(await main(['node', 'xrec', ...args(out, ['--epochs', '2', '--resume', '--lr', '0.02', '--force-config'])])).toBe(0);
      expect(errs.join('')).toMatch(/resuming with changed settings \(forced\): lr 0\.01 → 0\.02/);
    } finally {
      spyErr.mockRestore();
      spyOut.mockRestore();
    }
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json']) expect(existsSync(join(out, f)), f).toBe(true);
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(cfg).toHaveProperty('eos_token_id');
    for (const f of ['config.json', 'tokenizer_config.json', 'generation_config.json', 'special_tokens_map.json']) expect(readFileSync(join(out, f), 'utf8')).not.toContain(dir);
    expect((await loadSafetensors(join(out, 'model.safetensors'))).metadata.tokenizer).toBeUndefined();
  });

  it.skipIf(!existsSync(bin))('a process killed by SIGKILL mid-run and resumed ends with the same weights as an uninterrupted run', async () => {
    const run = (out: string, extra: string[] = []) => spawn(process.execPath, [bin, ...args(out, ['--epochs', '4', '--dropout', '0.1', ...extra])], { stdio: 'ignore' });
    const wait = (p: ReturnType<typeof spawn>) => new Promise<{ code: number | null; signal: string | null }>((res) => p.on('exit', (code, signal) => res({ code, signal })));
    const full = join(dir, 'full');
    expect((await wait(run(full))).code).toBe(0);

    const killed = join(dir, 'killed');
    const p = run(killed);
    const exited = wait(p);
    // Kill as soon as the checkpoint of epoch 2 is committed.
    for (;;) {
      const st = readTrainStateSafe(join(killed, 'checkpoint'));
      if (st && st.epoch >= 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    p.kill('SIGKILL');
    const k = await exited;
    expect(k.signal).toBe('SIGKILL');
    expect(existsSync(join(killed, 'model.safetensors'))).toBe(false);
    expect((await wait(run(killed, ['--resume']))).code).toBe(0);

    const a = await loadSafetensors(join(full, 'model.safetensors'));
    const b = await loadSafetensors(join(killed, 'model.safetensors'));
    expect([...b.tensors.keys()]).toEqual([...a.tensors.keys()]);
    let maxDiff = 0;
    for (const [name, t] of a.tensors) {
      const x = new Float32Array(t.data.slice().buffer);
      const y = new Float32Array(b.tensors.get(name)!.data.slice().buffer);
      for (let i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i]! - y[i]!));
    }
    expect(maxDiff).toBeLessThan(1e-5);
    const summary = JSON.parse(readFileSync(join(killed, 'train-summary.json'), 'utf8')) as { startEpoch: number };
    expect(summary.startEpoch).toBeGreaterThanOrEqual(2);
  });
});
