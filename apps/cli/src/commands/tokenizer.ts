/**
 * `xrec tokenizer encode|decode|train` — byte-level BPE (GPT-2, trained tokenizer.json) and llama2.c
 * vocabularies from @xrec/tokenizer.
 *   encode: one JSON array of ids per input line (stdin when no --input);
 *   decode: the reverse, one text line per JSON array line;
 *   train:  learn a byte-level BPE vocabulary from a text (or JSON-lines, optionally gzipped) corpus and save
 *           it as a Hugging Face compatible tokenizer.json.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ConfigError, DataError, NotFoundError } from '@xrec/core';
import { loadGpt2Dir, loadTokenizer, saveTokenizer, trainBpe, type Tokenizer } from '@xrec/tokenizer';
import { terminalProgress } from '../progress.js';

interface SourceOpts {
  gpt2Dir?: string;
  tokenizer?: string;
  input?: string;
}

function positiveInt(flag: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag}: expected a positive integer, got ${JSON.stringify(v)}`);
    return n;
  };
}

async function openTokenizer(o: SourceOpts): Promise<Tokenizer> {
  if (o.gpt2Dir !== undefined && o.tokenizer !== undefined) throw new ConfigError('give either --gpt2-dir or --tokenizer, not both');
  if (o.gpt2Dir !== undefined) return loadGpt2Dir(resolve(o.gpt2Dir));
  if (o.tokenizer !== undefined) return loadTokenizer(resolve(o.tokenizer));
  throw new ConfigError('no vocabulary: give --gpt2-dir DIR (encoder.json + vocab.bpe) or --tokenizer FILE (tokenizer.json or llama2.c .bin)');
}

/** Whole input as bytes (gunzipped when it starts with the gzip magic), from --input or standard input. */
async function readInputBytes(input: string | undefined): Promise<Buffer> {
  let buf: Buffer;
  if (input !== undefined) {
    const p = resolve(input);
    if (!existsSync(p)) throw new NotFoundError(`--input ${p} does not exist`);
    buf = readFileSync(p);
  } else {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    buf = Buffer.concat(chunks);
  }
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf;
}

/** Lines of the input; a final newline does not make an extra empty line. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function write(lines: string[]): void {
  const CHUNK = 4096;
  for (let i = 0; i < lines.length; i += CHUNK) process.stdout.write(`${lines.slice(i, i + CHUNK).join('\n')}\n`);
}

function sourceOptions(cmd: Command): Command {
  return cmd
    .option('--gpt2-dir <dir>', 'GPT-2 vocabulary directory holding encoder.json and vocab.bpe')
    .option('--tokenizer <file>', 'tokenizer.json, a directory holding one, or a llama2.c tokenizer .bin')
    .option('--input <file>', 'input file (default: standard input)');
}

export function registerTokenizer(program: Command): void {
  const tok = program.command('tokenizer').description('encode, decode and train byte-level BPE tokenizers (GPT-2, tokenizer.json, llama2.c)');

  sourceOptions(tok.command('encode').description('print one JSON array of token ids per input line'))
    .option('--allow-special', 'recognise special-token text such as <eos> in the input')
    .option('--bos', 'prepend the BOS id to every line')
    .option('--eos', 'append the EOS id to every line')
    .action(async (o: SourceOpts & { allowSpecial?: boolean; bos?: boolean; eos?: boolean }) => {
      const t = await openTokenizer(o);
      const lines = splitLines((await readInputBytes(o.input)).toString('utf8'));
      const opts = { allowSpecial: o.allowSpecial ?? false, addBos: o.bos ?? false, addEos: o.eos ?? false };
      write(lines.map((l) => JSON.stringify(t.encode(l, opts))));
    });

  sourceOptions(tok.command('decode').description('print the text of each input line, a JSON array of token ids'))
    .option('--skip-special', 'leave special tokens out of the text')
    .option('--json', 'print each text as a JSON string (keeps newlines inside a text on one line)')
    .action(async (o: SourceOpts & { skipSpecial?: boolean; json?: boolean }) => {
      const t = await openTokenizer(o);
      const where = o.input ?? 'stdin';
      const lines = splitLines((await readInputBytes(o.input)).toString('utf8'));
      const out = lines.map((l, i) => {
        let ids: unknown;
        try {
          ids = l.trim() === '' ? [] : JSON.parse(l);
        } catch (e) {
          throw new DataError(`${where}:${i + 1}: expected a JSON array of token ids, got ${JSON.stringify(l.slice(0, 60))}`, { cause: e });
        }
        if (!Array.isArray(ids)) throw new DataError(`${where}:${i + 1}: expected a JSON array of token ids, got ${typeof ids}`);
        let text: string;
        try {
          text = t.decode(ids as number[], { skipSpecialTokens: o.skipSpecial ?? false });
        } catch (e) {
          throw new DataError(`${where}:${i + 1}: ${(e as Error).message}`, { cause: e });
        }
        return o.json ? JSON.stringify(text) : text;
      });
      write(out);
    });

  tok
    .command('train')
    .description('learn a byte-level BPE vocabulary (GPT-2 pre-tokenization) and save it as tokenizer.json')
    .requiredOption('--input <file>', 'corpus: one document per line (plain text, or JSON lines with --field; .gz allowed)')
    .requiredOption('--vocab-size <n>', 'learnt tokens: 256 bytes + merges (special tokens come on top)', positiveInt('--vocab-size'))
    .requiredOption('--out <file>', 'where to write tokenizer.json')
    .option('--field <name>', 'read each line as a JSON object and train on this string field (e.g. reviewText)')
    .option('--special <names>', 'comma-separated special tokens appended after the vocabulary', '<bos>,<eos>,<pad>')
    .option('--min-frequency <n>', 'smallest pair count that is still merged', positiveInt('--min-frequency'), 2)
    .option('--allow-smaller', 'keep a vocabulary smaller than --vocab-size when the corpus runs out of pairs (default: an error)')
    .addHelpText('after', '\nExample:\n  xrec tokenizer train --input reviews.txt --vocab-size 8000 --out tokenizer.json')
    .action(async (o: { input: string; vocabSize: number; out: string; field?: string; special: string; minFrequency: number; allowSmaller?: boolean }) => {
      const lines = splitLines((await readInputBytes(o.input)).toString('utf8'));
      let docs = lines;
      if (o.field !== undefined) {
        const field = o.field;
        docs = [];
        lines.forEach((l, i) => {
          if (l.trim() === '') return;
          let row: unknown;
          try {
            row = JSON.parse(l);
          } catch (e) {
            throw new DataError(`${o.input}:${i + 1}: --field needs JSON lines, but this line does not parse (${(e as Error).message})`, { cause: e });
          }
          const v = (row as Record<string, unknown> | null)?.[field];
          if (typeof v !== 'string') throw new DataError(`${o.input}:${i + 1}: field ${JSON.stringify(field)} must be a string, got ${v === undefined ? 'nothing' : typeof v}`);
          docs.push(v);
        });
      }
      const specialTokens = o.special.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (!docs.some((d) => d.trim() !== '')) throw new DataError(`${o.input}: the corpus has no non-empty documents; nothing was written`);
      const t0 = performance.now();
      const t = trainBpe(docs, { vocabSize: o.vocabSize, minFrequency: o.minFrequency, specialTokens }, terminalProgress());
      const seconds = (performance.now() - t0) / 1000;
      if (t.model.size < o.vocabSize && !o.allowSmaller) {
        throw new DataError(
          `${o.input}: the corpus is too small for --vocab-size ${o.vocabSize}: only ${t.model.size} tokens could be learnt (no further pair occurs ${o.minFrequency} times); nothing was written (lower --vocab-size, add text, or pass --allow-smaller)`,
        );
      }
      await saveTokenizer(t, resolve(o.out));
      process.stdout.write(`${JSON.stringify({ out: resolve(o.out), documents: docs.length, vocabSize: t.vocabSize, learnt: t.model.size, merges: t.model.merges.length, specialTokens: t.specialTokens, seconds: Number(seconds.toFixed(3)) })}\n`);
    });
}
