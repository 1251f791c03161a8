/**
 * The pre-training corpus as token streams: every document of every source encoded as
 * `<bos> text <eos>` and concatenated, one stream per (source, split). Sampling draws fixed-length windows
 * from these streams (GPT-style packing: a window may span document boundaries, which the separators mark).
 */
import { DataError, type Progress, type Rng } from '@xrec/core';
import { readCorpusDocuments, type CorpusSource } from '@xrec/data';
import type { Tokenizer } from '@xrec/tokenizer';

export interface SourceTokens {
  readonly name: string;
  readonly documents: { train: number; val: number };
  readonly words: { train: number; val: number };
  readonly train: Uint16Array;
  readonly val: Uint16Array;
}

class Growable {
  buf = new Uint16Array(1 << 20);
  n = 0;
  push(id: number): void {
    if (this.n === this.buf.length) {
      const next = new Uint16Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = id;
  }
  done(): Uint16Array {
    return this.buf.slice(0, this.n);
  }
}

const WORD_RE = /[A-Za-z]+/g;

/** Encode every source (both splits). Ids must fit 16 bits (vocabularies up to 65,536). */
export async function encodeCorpus(
  sources: readonly CorpusSource[],
  tokenizer: Tokenizer,
  ids: { bos: number; eos: number },
  progress: Progress,
  valEvery: number,
): Promise<SourceTokens[]> {
  if (tokenizer.vocabSize > 65536) throw new DataError(`pretrain: the tokenizer has ${tokenizer.vocabSize} ids; the token streams hold at most 65,536`);
  const task = progress.start('pretrain: encoding the corpus', sources.reduce((a, s) => a + s.bytes, 0));
  const out: SourceTokens[] = [];
  for (const s of sources) {
    const train = new Growable();
    const val = new Growable();
    const documents = { train: 0, val: 0 };
    const words = { train: 0, val: 0 };
    for await (const d of readCorpusDocuments(s, { valEvery })) {
      const g = d.split === 'train' ? train : val;
      g.push(ids.bos);
      for (const id of tokenizer.encode(d.text)) g.push(id);
      g.push(ids.eos);
      documents[d.split] += 1;
      words[d.split] += d.text.match(WORD_RE)?.length ?? 0;
    }
    out.push({ name: s.name, documents, words, train: train.done(), val: val.done() });
    task.tick(s.bytes, { source: s.name });
  }
  task.finish({ tokens: out.reduce((a, s) => a + s.train.length + s.val.length, 0) });
  return out;
}

/** Draws windows of `seq + 1` tokens: a source by weight, then a uniform start inside its stream. */
export class WindowSampler {
  private readonly cum: number[];
  constructor(
    private readonly streams: readonly Uint16Array[],
    weights: readonly number[],
    private readonly seq: number,
  ) {
    const w = weights.map((x, i) => (streams[i]!.length > seq + 1 ? x : 0));
    const total = w.reduce((a, b) => a + b, 0);
    if (!(total > 0)) throw new DataError(`pretrain: no source has more than ${seq + 1} tokens with a positive weight`);
    let acc = 0;
    this.cum = w.map((x) => (acc += x / total));
  }

  /** `size` windows, row-major int32 [size, seq + 1]. */
  batch(size: number, rng: Rng): Int32Array {
    const T1 = this.seq + 1;
    const ids = new Int32Array(size * T1);
    for (let r = 0; r < size; r++) {
      const u = rng.float();
      let k = 0;
      while (k < this.cum.length - 1 && u >= this.cum[k]!) k++;
      const s = this.streams[k]!;
      const start = Math.floor(rng.float() * (s.length - T1));
      for (let j = 0; j < T1; j++) ids[r * T1 + j] = s[start + j]!;
    }
    return ids;
  }
}

/** Up to `count` non-overlapping windows from the start of a stream (evenly spread), row-major. */
export function fixedWindows(stream: Uint16Array, seq: number, count: number): { ids: Int32Array; size: number } {
  const T1 = seq + 1;
  const available = Math.floor(stream.length / T1);
  const n = Math.min(count, available);
  const ids = new Int32Array(n * T1);
  const stride = n > 0 ? Math.floor(available / n) : 0;
  for (let r = 0; r < n; r++) for (let j = 0; j < T1; j++) ids[r * T1 + j] = stream[r * stride * T1 + j]!;
  return { ids, size: n };
}
