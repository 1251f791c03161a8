// GPT-2 parity on a large real corpus: every reviewText and summary of the Amazon Musical Instruments 5-core
// reviews (~10k reviews, ~5 MB) must give the same ids as the reference encoders and round-trip exactly.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getEncoding } from 'js-tiktoken';
import gpt3 from 'gpt-3-encoder';
import { loadGpt2Dir } from '../src/index.js';
import { FIXTURES, GPT2_DIR, reviewTexts } from './helpers.js';

const corpus = reviewTexts();
if (corpus.skipReason) console.warn(corpus.skipReason);
const python = spawnSync('python3', ['-c', 'import regex'], { encoding: 'utf8' });
const pythonSkip = python.status === 0 ? undefined : 'SKIPPED: python3 with the `regex` module is not available, so the encoder.py reference cannot run';
if (pythonSkip && corpus.texts) console.warn(pythonSkip);

describe.skipIf(!corpus.texts)('GPT-2 parity on the Amazon reviews corpus', () => {
  const texts = corpus.texts ?? [];
  const tok = loadGpt2Dir(GPT2_DIR);

  it('has a large corpus', () => {
    expect(texts.length).toBeGreaterThan(20_000);
  });

  it('gives the ids of js-tiktoken (gpt2) on every line and decodes back to the line', () => {
    const ref = getEncoding('gpt2');
    const bad: number[] = [];
    let tokens = 0;
    texts.forEach((t, i) => {
      const ids = tok.encode(t);
      tokens += ids.length;
      const want = ref.encode(t);
      if (ids.length !== want.length || ids.some((x, k) => x !== want[k]) || tok.decode(ids) !== t) bad.push(i);
    });
    expect(bad.slice(0, 5).map((i) => texts[i])).toEqual([]);
    expect(tokens).toBeGreaterThan(1_000_000);
  });

  // gpt-3-encoder is ~50x slower than the others, so it checks every 4th line; the two tests around it check all.
  it('gives the ids of gpt-3-encoder (a JS port of encoder.py) on every 4th line', () => {
    const bad: number[] = [];
    texts.forEach((t, i) => {
      if (i % 4 !== 0) return;
      const ids = tok.encode(t);
      const want = gpt3.encode(t);
      if (ids.length !== want.length || ids.some((x, k) => x !== want[k])) bad.push(i);
    });
    expect(bad.slice(0, 5).map((i) => texts[i])).toEqual([]);
  });

  it.skipIf(pythonSkip !== undefined)('gives the ids of the encoder.py algorithm with Python regex semantics on every line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xrec-gpt2-ref-'));
    try {
      writeFileSync(join(dir, 'in.jsonl'), texts.map((t) => JSON.stringify(t)).join('\n') + '\n');
      const r = spawnSync('python3', [join(FIXTURES, 'gpt2_encoder_reference.py'), GPT2_DIR, join(dir, 'in.jsonl'), join(dir, 'out.jsonl')], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const want = readFileSync(join(dir, 'out.jsonl'), 'utf8').trimEnd().split('\n');
      expect(want.length).toBe(texts.length);
      const bad = texts.filter((t, i) => JSON.stringify(tok.encode(t)) !== want[i]);
      expect(bad.slice(0, 5)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
