import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VocabError } from '@xrec/core';
import { GPT2_DIR, TOK512 } from '../test/helpers.js';
import { loadTokenizer, saveTokenizer } from './load.js';
import { trainBpe } from './train.js';

describe('loadTokenizer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xrec-load-'));

  it('detects a GPT-2 directory, a llama2.c .bin and a tokenizer.json (file or directory)', async () => {
    const g = await loadTokenizer(GPT2_DIR);
    expect([g.kind, g.vocabSize]).toEqual(['bpe', 50257]);
    const l = await loadTokenizer(TOK512);
    expect([l.kind, l.vocabSize, l.bosId, l.eosId]).toEqual(['llama2c', 512, 1, 2]);
    const trained = trainBpe(['some text to learn from, some text'], { vocabSize: 260 });
    const sub = join(dir, 'trained');
    mkdirSync(sub);
    await saveTokenizer(trained, join(sub, 'tokenizer.json'));
    for (const p of [join(sub, 'tokenizer.json'), sub]) {
      const t = await loadTokenizer(p);
      expect(t.kind).toBe('bpe');
      expect(t.encode('some text')).toEqual(trained.encode('some text'));
    }
    const llCopy = join(dir, 'copy.bin');
    await saveTokenizer(l, llCopy);
    expect((await loadTokenizer(llCopy)).encode('Once upon a time')).toEqual(l.encode('Once upon a time'));
  });

  it('rejects everything else with a VocabError saying what was expected', async () => {
    const cases: [string, RegExp][] = [];
    cases.push([join(dir, 'missing.json'), /does not exist/]);
    const empty = join(dir, 'empty-dir');
    mkdirSync(empty);
    cases.push([empty, /holds no vocabulary: expected encoder.json \+ vocab.bpe/]);
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'just some notes, not a vocabulary at all');
    cases.push([text, /not a vocabulary: neither a tokenizer.json/]);
    const emptyFile = join(dir, 'empty.bin');
    writeFileSync(emptyFile, '');
    cases.push([emptyFile, /not a vocabulary/]);
    const enc = join(dir, 'encoder.json');
    copyFileSync(join(GPT2_DIR, 'encoder.json'), enc);
    cases.push([enc, /looks like GPT-2's encoder.json; pass the directory/]);
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"name": "x"}');
    cases.push([other, /without a "model" field/]);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"model": ');
    cases.push([broken, /does not parse/]);
    for (const [p, re] of cases) {
      await expect(loadTokenizer(p)).rejects.toThrow(VocabError);
      await expect(loadTokenizer(p)).rejects.toThrow(re);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
