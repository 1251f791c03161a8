/**
 * Byte-level BPE training (Sennrich et al. 2016, with GPT-2's byte-level alphabet and pre-tokenization,
 * Radford et al. 2019). Deterministic: the same corpus and config give the same merges, ids and file.
 *
 * 1. Pre-tokenize every document with the GPT-2 pattern and count distinct pieces (words).
 * 2. Start from 256 byte tokens (id = byte value, spelled with the byte-level alphabet).
 * 3. Repeat until `vocabSize` tokens exist or no pair occurs `minFrequency` times: merge the most frequent
 *    adjacent pair — count(a, b) = sum over words w of freq(w) * #(a, b) in w — ties broken by the smaller
 *    (a, b) id pair; every occurrence is replaced left to right.
 * 4. Special tokens get ids after the learnt vocabulary: vocabSize, vocabSize + 1, ...
 *
 * Pair counts are updated incrementally (only the words that contain the merged pair are rescanned) and the
 * best pair comes from a max-heap with lazy invalidation, so each merge costs time proportional to the
 * occurrences of its pair, not to the corpus.
 */
import { ConfigError, silentProgress, type Progress, is, resolveConfig, type ConfigSpec } from '@xrec/core';
import { BYTE_TO_UNICODE } from './byte-unicode.js';
import { BpeModel, MinHeap2 } from './bpe-model.js';
import { BpeTokenizer, maskStrips } from './bpe-tokenizer.js';
import { gpt2PieceEnd } from './pretokenize.js';
import { utf8EncodeInto } from './utf8.js';

export interface BpeTrainConfig {
  /** Learnt tokens: 256 byte tokens + merges. Special tokens come on top (ids vocabSize, vocabSize + 1, ...). */
  readonly vocabSize: number;
  /** Special tokens appended after the learnt vocabulary, in order. */
  readonly specialTokens: readonly string[];
  /** A pair must occur at least this often (weighted by word frequency) to be merged. */
  readonly minFrequency: number;
}

export const DEFAULT_BPE_TRAIN_CONFIG: BpeTrainConfig = {
  vocabSize: 8000,
  specialTokens: ['<bos>', '<eos>', '<pad>'],
  minFrequency: 2,
};

/** Largest learnt vocabulary: ids must fit the 2^20 x 2^20 pair keys used while training. */
export const MAX_TRAIN_VOCAB = 1 << 20;

/** Fill defaults and validate once; errors name the field. */
const BPE_SPEC: ConfigSpec<BpeTrainConfig> = {
  vocabSize: { check: (v) => (Number.isInteger(v) && (v as number) >= 256 && (v as number) <= MAX_TRAIN_VOCAB ? undefined : `expected an integer in [256, ${MAX_TRAIN_VOCAB}] (256 byte tokens + merges)`), default: DEFAULT_BPE_TRAIN_CONFIG.vocabSize },
  minFrequency: { check: is.int(1), default: DEFAULT_BPE_TRAIN_CONFIG.minFrequency },
  specialTokens: {
    check: (v) => {
      if (!Array.isArray(v)) return 'expected an array of strings';
      const seen = new Set<string>();
      for (const t of v) {
        if (typeof t !== 'string' || t.length === 0) return `expected non-empty strings (${JSON.stringify(t)} is not)`;
        if (seen.has(t)) return `${JSON.stringify(t)} appears twice`;
        seen.add(t);
      }
      return undefined;
    },
    normalize: (v) => [...(v as string[])],
    default: DEFAULT_BPE_TRAIN_CONFIG.specialTokens,
  },
};

/** Fill defaults and validate (the core resolver: unknown fields are errors naming the closest field). */
export function resolveBpeTrainConfig(partial: Partial<BpeTrainConfig> = {}): BpeTrainConfig {
  return resolveConfig('BpeTrainConfig', BPE_SPEC, partial);
}

/** Distinct GPT-2 pre-tokens of the corpus with their counts, in order of first appearance. */
export function countPieces(corpus: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const doc of corpus) {
    if (typeof doc !== 'string') throw new ConfigError(`trainBpe: corpus items must be strings, got ${doc === null ? 'null' : typeof doc}`);
    for (let i = 0; i < doc.length; ) {
      const j = gpt2PieceEnd(doc, i);
      const p = doc.slice(i, j);
      counts.set(p, (counts.get(p) ?? 0) + 1);
      i = j;
    }
  }
  return counts;
}

const KEY = 1 << 20; // pair key = a * KEY + b (< 2^40, exact in a double)

/** Learn a byte-level BPE tokenizer from `corpus` (one string per document). */
export function trainBpe(corpus: Iterable<string>, config: Partial<BpeTrainConfig> = {}, progress: Progress = silentProgress): BpeTokenizer {
  const cfg = resolveBpeTrainConfig(config);
  const countTask = progress.start('bpe: counting pieces');
  const pieceCounts = countPieces(corpus);
  countTask.finish({ distinct: pieceCounts.size });

  // Words as byte-symbol arrays (symbol = token id; ids 0..255 are the bytes).
  const nWords = pieceCounts.size;
  const words: Int32Array[] = new Array(nWords);
  const lens = new Int32Array(nWords);
  const freq = new Float64Array(nWords);
  let scratch = new Uint8Array(1024);
  let wi = 0;
  for (const [piece, c] of pieceCounts) {
    if (scratch.length < piece.length * 3) scratch = new Uint8Array(piece.length * 6);
    const n = utf8EncodeInto(piece, 0, piece.length, scratch);
    const w = new Int32Array(n);
    for (let k = 0; k < n; k++) w[k] = scratch[k]!;
    words[wi] = w;
    lens[wi] = n;
    freq[wi] = c;
    wi++;
  }

  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  const addPair = (key: number, delta: number): void => {
    const v = (pairCount.get(key) ?? 0) + delta;
    if (v <= 0) pairCount.delete(key);
    else pairCount.set(key, v);
  };
  const noteWord = (key: number, w: number): void => {
    const list = pairWords.get(key);
    if (list === undefined) pairWords.set(key, [w]);
    else if (list[list.length - 1] !== w) list.push(w);
  };
  for (let w = 0; w < nWords; w++) {
    const s = words[w]!;
    for (let k = 0; k + 1 < lens[w]!; k++) {
      const key = s[k]! * KEY + s[k + 1]!;
      addPair(key, freq[w]!);
      noteWord(key, w);
    }
  }
  // Max-heap by count, then smaller key, via a min-heap on (-count, key).
  const heap = new MinHeap2();
  for (const [key, c] of pairCount) heap.push(-c, key);

  const tokens: string[] = BYTE_TO_UNICODE.slice();
  const tokenId = new Map<string, number>(tokens.map((t, i) => [t, i]));
  const merges: [string, string][] = [];
  const seen = new Int32Array(nWords).fill(-1);
  const target = cfg.vocabSize;
  const mergeTask = progress.start('bpe: merges', target - 256);

  while (tokens.length < target && heap.size > 0) {
    const stored = -heap.topKey;
    const key = heap.topVal;
    heap.pop();
    const cur = pairCount.get(key) ?? 0;
    if (cur !== stored) {
      if (cur > 0) heap.push(-cur, key);
      continue;
    }
    if (cur < cfg.minFrequency) break;
    const a = Math.floor(key / KEY);
    const b = key - a * KEY;
    const spelling = tokens[a]! + tokens[b]!;
    let n = tokenId.get(spelling);
    if (n === undefined) {
      n = tokens.length;
      tokens.push(spelling);
      tokenId.set(spelling, n);
    }
    merges.push([tokens[a]!, tokens[b]!]);

    const touched = new Set<number>();
    const list = pairWords.get(key) ?? [];
    pairWords.delete(key);
    const step = merges.length;
    for (const w of list) {
      if (seen[w] === step) continue;
      seen[w] = step;
      const s = words[w]!;
      const len = lens[w]!;
      const f = freq[w]!;
      let r = 0;
      let o = 0;
      while (r < len) {
        if (r + 1 < len && s[r] === a && s[r + 1] === b) {
          if (o > 0) {
            const left = s[o - 1]!;
            addPair(left * KEY + a, -f);
            const k2 = left * KEY + n;
            addPair(k2, f);
            noteWord(k2, w);
            touched.add(k2);
          }
          if (r + 2 < len) {
            const right = s[r + 2]!;
            addPair(b * KEY + right, -f);
            const k2 = n * KEY + right;
            addPair(k2, f);
            noteWord(k2, w);
            touched.add(k2);
          }
          s[o++] = n;
          r += 2;
        } else {
          s[o++] = s[r++]!;
        }
      }
      lens[w] = o;
    }
    pairCount.delete(key);
    for (const k of touched) {
      const c = pairCount.get(k);
      if (c !== undefined) heap.push(-c, k);
    }
    if ((merges.length & 63) === 0) mergeTask.update(tokens.length - 256, { count: cur });
  }
  mergeTask.finish({ merges: merges.length, vocab: tokens.length });

  const model = new BpeModel({ tokens, merges }, 'trainBpe');
  return new BpeTokenizer({
    model,
    addedTokens: cfg.specialTokens.map((content, i) => ({ content, id: tokens.length + i, special: true, ...(maskStrips(content) ? { lstrip: true } : {}) })),
  }, 'trainBpe');
}
