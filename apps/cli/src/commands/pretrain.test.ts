import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { Rng } from '@xrec/core';
import { loadTokenizer } from '@xrec/tokenizer';
import { TransformerLM } from '@xrec/transformer';
import { main } from '../main.js';

const dir = mkdtempSync(join(tmpdir(), 'xrec-pretrain-'));
const corpus = join(dir, 'corpus');

/** A two-source corpus in the shared layout: <source>.txt.gz + SHA256SUMS. */
function makeCorpus(): void {
  const rng = new Rng(9);
  const words = ['the', 'strings', 'sound', 'great', 'and', 'the', 'price', 'is', 'right', 'cable', 'works', 'well', 'movie', 'was', 'fun'];
  mkdirSync(corpus, { recursive: true });
  const sums: string[] = [];
  for (const name of ['reviews', 'books']) {
    const lines = Array.from({ length: 300 }, () => Array.from({ length: rng.int(5, 15) }, () => rng.choice(words)).join(' ') + '.');
    const gz = gzipSync(Buffer.from(lines.join('\n') + '\n'));
    writeFileSync(join(corpus, `${name}.txt.gz`), gz);
    sums.push(`${createHash('sha256').update(gz).digest('hex')}  ${name}.txt.gz`);
  }
  writeFileSync(join(corpus, 'SHA256SUMS'), sums.join('\n') + '\n');
}

async function run(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await main(['node', 'xrec', ...argv]), err };
  } finally {
    e.mockRestore();
  }
}

const flags = (out: string, work: string) => ['pretrain', '--corpus', corpus, '--out', out, '--work', work, '--tokens', '6000', '--vocab', '300', '--d-model', '16', '--layers', '1', '--heads', '2', '--seq', '16', '--batch', '4', '--segment-steps', '40', '--warmup', '5', '--val-windows', '2'];

describe('xrec pretrain', () => {
  it('trains tokenizer and model with a token budget, writes a self-contained HF-layout folder, and exports checkpoints', async () => {
    makeCorpus();
    const out = join(dir, 'model');
    const work = join(dir, 'work');
    const r = await run(flags(out, work));
    expect(r.code, r.err).toBe(0);
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json', 'pretrain-summary.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, number>;
    const tok = await loadTokenizer(join(out, 'tokenizer.json'));
    expect([cfg.bos_token_id, cfg.eos_token_id, cfg.pad_token_id]).toEqual([tok.bosId, tok.eosId, tok.padId]);
    const summary = JSON.parse(readFileSync(join(out, 'pretrain-summary.json'), 'utf8')) as { complete: boolean; steps: number; tokensSeen: number; valLoss: Record<string, number>; segments: unknown[] };
    expect(summary.complete).toBe(true);
    expect(summary.steps).toBe(Math.ceil(6000 / (4 * 16)));
    expect(summary.segments).toHaveLength(3);
    expect(Object.keys(summary.valLoss).sort()).toEqual(['books', 'reviews']);
    for (const f of ['config.json', 'tokenizer_config.json', 'generation_config.json', 'pretrain-summary.json']) expect(readFileSync(join(out, f), 'utf8'), f).not.toContain(dir);
    const model = await TransformerLM.load(out);
    expect(model.config.vocabSize).toBe(tok.vocabSize);
    model.dispose();
    // a second start over the same work folder needs --resume
    const again = await run(flags(join(dir, 'model2'), work));
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/holds a run; pass --resume/);
    // the latest checkpoint exports to a usable model
    const exp = await run([...flags(out, work), '--export-to', join(dir, 'exported')]);
    expect(exp.code, exp.err).toBe(0);
    expect(existsSync(join(dir, 'exported', 'tokenizer.json'))).toBe(true);
  });

  it('--objective mlm trains a BERT-style masked-LM encoder (ALiBi bias, as shipped) with a given tokenizer (+ <mask>), and its held-out loss falls', async () => {
    const tokDir = join(dir, 'model'); // the tokenizer of the causal run above
    const out = join(dir, 'mlm');
    const r = await run(['pretrain', '--objective', 'mlm', '--tokenizer', join(tokDir, 'tokenizer.json'), ...flags(out, join(dir, 'mlm-work')).slice(1), '--tokens', '12000', '--lr', '5e-3', '--position-bias', 'alibi']);
    expect(r.code, r.err).toBe(0);
    const tok = await loadTokenizer(join(out, 'tokenizer.json'));
    const base = await loadTokenizer(join(tokDir, 'tokenizer.json'));
    expect(tok.vocabSize).toBe(base.vocabSize + 1);
    expect(tok.maskId).toBe(base.vocabSize);
    expect(JSON.parse(readFileSync(join(out, 'special_tokens_map.json'), 'utf8'))).toMatchObject({ mask_token: '<mask>' });
    expect(existsSync(join(out, 'generation_config.json'))).toBe(false); // an encoder does not generate
    // the summary names the given tokenizer relative to the model folder, never by a machine path
    const summary = readFileSync(join(out, 'pretrain-summary.json'), 'utf8');
    expect(summary).not.toContain(dir);
    expect(JSON.parse(summary) as { config: object }).toMatchObject({ config: { tokenizer: join('..', 'model', 'tokenizer.json'), positionBias: 'alibi' } });
    const model = await TransformerLM.load(out);
    expect(model.config).toMatchObject({ arch: 'bert', attention: 'bidirectional', vocabSize: tok.vocabSize, positionBias: 'alibi' });
    model.dispose();
    const log = readFileSync(join(dir, 'mlm-work', 'pretrain-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; val_loss?: Record<string, number> });
    const vals = log.filter((l) => l.type === 'val').map((l) => l.val_loss!.reviews!);
    expect(vals.length).toBeGreaterThan(1);
    expect(vals[vals.length - 1]!).toBeLessThan(vals[0]!);
    const bad = await run(['pretrain', '--objective', 'bert', '--out', join(dir, 'm5')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--objective: expected clm or mlm, got 'bert'/);
    const clmBias = await run([...flags(join(dir, 'm6'), join(dir, 'w6')), '--position-bias', 'alibi']);
    expect(clmBias.code).toBe(2);
    expect(clmBias.err).toMatch(/--position-bias alibi applies to --objective mlm only/);
    const badBias = await run(['pretrain', '--objective', 'mlm', '--position-bias', 'rope', '--out', join(dir, 'm7')]);
    expect(badBias.code).toBe(2);
    expect(badBias.err).toMatch(/--position-bias: expected none or alibi, got 'rope'/);
  });

  it('names a missing or damaged corpus file', async () => {
    const bad = await run(['pretrain', '--corpus', join(dir, 'nope'), '--out', join(dir, 'm3')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/nope is not a directory/);
    writeFileSync(join(corpus, 'books.txt.gz'), gzipSync(Buffer.from('changed\n')));
    const changed = await run(flags(join(dir, 'm4'), join(dir, 'w4')));
    expect(changed.code).toBe(2);
    expect(changed.err).toMatch(/books\.txt\.gz: SHA-256 .* differs from SHA256SUMS/);
  });
});
