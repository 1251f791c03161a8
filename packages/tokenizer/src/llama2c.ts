/**
 * llama2.c tokenizer vocabularies (Karpathy, llama2.c `tokenizer.bin` / `tok512.bin`, MIT): the file is
 *   int32 max_token_length, then per token { float32 score, int32 len, len bytes of the piece },
 * all little-endian, with no count (the vocabulary size is the number of records). Id 0 = `<unk>`,
 * 1 = BOS, 2 = EOS; ids 3..258 are the byte-fallback pieces `<0x00>`..`<0xFF>`.
 *
 * Encoding is run.c's `encode()`: (BOS,) a dummy-prefix `" "` token when the text is not empty, then one
 * token per UTF-8 code point (the piece of that code point, or its bytes as byte tokens, id = byte + 3),
 * then repeatedly merge the adjacent pair whose concatenated piece is in the vocabulary with the highest
 * score (the leftmost on ties), (then EOS). Implemented with a heap over a linked list (O(n log n)) that
 * makes exactly the same choices as run.c's O(n^2) rescans.
 * Decoding is run.c's `decode()`: after BOS one leading space of a piece is dropped, `<0xNN>` pieces are
 * the byte NN; BOS and EOS themselves print nothing (run.c never prints them).
 */
import { VocabError } from '@xrec/core';
import { MinHeap2 } from './bpe-model.js';
import { PairTable } from './pair-table.js';
import { checkIdArray, resolveRoles, type DecodeOptions, type EncodeOptions, type SpecialRoles, type Tokenizer } from './tokenizer.js';
import { utf8Decode, utf8Encode } from './utf8.js';

export const LLAMA2C_UNK = 0;
export const LLAMA2C_BOS = 1;
export const LLAMA2C_EOS = 2;
/** run.c's byte fallback: byte b is token b + 3. */
export const LLAMA2C_BYTE_OFFSET = 3;

/** The contents of a llama2.c tokenizer file. */
export interface Llama2cVocab {
  readonly maxTokenLength: number;
  readonly pieces: readonly Uint8Array[];
  readonly scores: Float32Array;
}

/** Parse a llama2.c tokenizer file; `expectedVocabSize` (from the model header) is checked when given. */
export function parseLlama2cVocab(data: Uint8Array, where: string, expectedVocabSize?: number): Llama2cVocab {
  if (data.byteLength < 4) throw new VocabError(`${where}: ${data.byteLength} bytes is too short for a llama2.c tokenizer (expected an int32 max_token_length header and records)`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const maxTokenLength = view.getInt32(0, true);
  if (maxTokenLength < 1 || maxTokenLength > 1 << 16) throw new VocabError(`${where}: not a llama2.c tokenizer: header max_token_length is ${maxTokenLength}, expected 1..65536`);
  const pieces: Uint8Array[] = [];
  const scores: number[] = [];
  let o = 4;
  while (o < data.byteLength) {
    if (o + 8 > data.byteLength) throw new VocabError(`${where}: truncated llama2.c tokenizer: record ${pieces.length} at byte ${o} needs 8 header bytes, only ${data.byteLength - o} left`);
    const score = view.getFloat32(o, true);
    const len = view.getInt32(o + 4, true);
    if (len < 0 || o + 8 + len > data.byteLength) throw new VocabError(`${where}: not a llama2.c tokenizer or truncated: record ${pieces.length} at byte ${o} has length ${len}, but ${data.byteLength - o - 8} bytes remain`);
    if (!Number.isFinite(score)) throw new VocabError(`${where}: record ${pieces.length} at byte ${o} has score ${score}; expected a finite float`);
    pieces.push(data.slice(o + 8, o + 8 + len));
    scores.push(score);
    o += 8 + len;
  }
  if (pieces.length < 3) throw new VocabError(`${where}: a llama2.c tokenizer needs at least 3 tokens (<unk>, BOS, EOS), got ${pieces.length}`);
  if (expectedVocabSize !== undefined && pieces.length !== expectedVocabSize) throw new VocabError(`${where}: has ${pieces.length} tokens, the model expects vocab_size ${expectedVocabSize}`);
  return { maxTokenLength, pieces, scores: Float32Array.from(scores) };
}

/** Serialise a vocabulary in the llama2.c tokenizer format. */
export function serializeLlama2cVocab(v: Llama2cVocab): Uint8Array {
  const size = 4 + v.pieces.reduce((a, p) => a + 8 + p.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setInt32(0, v.maxTokenLength, true);
  let o = 4;
  v.pieces.forEach((p, i) => {
    view.setFloat32(o, v.scores[i]!, true);
    view.setInt32(o + 4, p.length, true);
    out.set(p, o + 8);
    o += 8 + p.length;
  });
  return out;
}

/** Byte-exact lookup key of a piece (one char per byte). */
function binKey(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

export class Llama2cTokenizer implements Tokenizer {
  readonly kind = 'llama2c' as const;
  readonly vocab: Llama2cVocab;
  readonly vocabSize: number;
  readonly specialTokens: Readonly<Record<string, number>>;
  readonly bosId?: number;
  readonly eosId?: number;
  readonly padId?: number;
  readonly maskId?: number;
  /** Whether ids 3..258 are the byte pieces <0x00>..<0xFF>, so run.c's byte fallback (id = byte + 3) is valid. */
  readonly hasByteFallback: boolean;
  /** Extra special tokens added with withSpecialTokens (ids after the file's vocabulary). */
  readonly addedSpecials: readonly string[];
  private readonly roles: SpecialRoles | undefined;
  /** Piece bytes (binary string) -> id, first id wins (run.c's bsearch on unique pieces). */
  private readonly lookup = new Map<string, number>();
  /** The id run.c's lookup returns for each id's piece. */
  private readonly canon: Int32Array;
  /** (canon a, canon b) -> id of the concatenated piece. */
  private readonly pairs: PairTable;
  private readonly byteOf: Int16Array;
  private readonly specialByName = new Map<string, number>();
  private readonly spaceId: number;

  constructor(vocab: Llama2cVocab, addedSpecials: readonly string[] = [], roles?: SpecialRoles, where = 'llama2c') {
    this.vocab = vocab;
    this.roles = roles;
    this.addedSpecials = [...addedSpecials];
    const n = vocab.pieces.length;
    this.vocabSize = n + addedSpecials.length;
    vocab.pieces.forEach((p, id) => {
      const k = binKey(p);
      if (!this.lookup.has(k)) this.lookup.set(k, id);
    });
    this.canon = new Int32Array(n);
    this.byteOf = new Int16Array(n).fill(-1);
    vocab.pieces.forEach((p, id) => {
      this.canon[id] = this.lookup.get(binKey(p))!;
      const m = p.length === 6 ? BYTE_PIECE.exec(binKey(p)) : null;
      if (m) this.byteOf[id] = parseInt(m[1]!, 16);
    });
    let fallback = n >= 256 + LLAMA2C_BYTE_OFFSET;
    for (let b = 0; fallback && b < 256; b++) if (this.byteOf[b + LLAMA2C_BYTE_OFFSET] !== b) fallback = false;
    this.hasByteFallback = fallback;
    // Every split of every piece into two pieces is a possible merge.
    let count = 0;
    for (const p of vocab.pieces) count += Math.max(0, p.length - 1);
    this.pairs = new PairTable(count);
    vocab.pieces.forEach((p, id) => {
      if (this.canon[id] !== id) return;
      for (let k = 1; k < p.length; k++) {
        const a = this.lookup.get(binKey(p, 0, k));
        const b = this.lookup.get(binKey(p, k));
        if (a !== undefined && b !== undefined) this.pairs.set(a, b, 0, id);
      }
    });
    this.spaceId = this.lookup.get(' ') ?? -1;
    this.specialByName.set('<unk>', LLAMA2C_UNK);
    this.specialByName.set('<s>', LLAMA2C_BOS);
    this.specialByName.set('</s>', LLAMA2C_EOS);
    addedSpecials.forEach((name, i) => {
      if (this.specialByName.has(name)) throw new VocabError(`${where}: special token ${JSON.stringify(name)} is already defined`);
      this.specialByName.set(name, n + i);
    });
    this.specialTokens = Object.freeze(Object.fromEntries(this.specialByName));
    Object.assign(this, resolveRoles(this.specialByName, roles, where, (m) => new VocabError(m)));
  }

  /** Number of tokens in the file (without added specials). */
  get fileVocabSize(): number {
    return this.vocab.pieces.length;
  }

  /** run.c `encode()`; `allowSpecial` has no effect (llama2.c never parses special text). */
  encode(text: string, options: EncodeOptions = {}): number[] {
    if (typeof text !== 'string') throw new VocabError(`encode: expected a string, got ${text === null ? 'null' : typeof text}`);
    const toks: number[] = [];
    if (options.addBos) toks.push(this.bosId ?? LLAMA2C_BOS);
    if (text.length > 0) {
      // run.c looks up " " for the dummy prefix; if a vocabulary lacks it we fall back to the space byte.
      if (this.spaceId >= 0) toks.push(this.spaceId);
      else this.pushBytes([0x20], 0, 1, toks, 'the dummy-prefix space');
    }
    const bytes = utf8Encode(text);
    let i = 0;
    while (i < bytes.length) {
      let j = i + 1;
      while (j < bytes.length && (bytes[j]! & 0xc0) === 0x80 && j - i < 4) j++;
      const id = this.lookup.get(binKey(bytes, i, j));
      if (id !== undefined) toks.push(id);
      else this.pushBytes(bytes, i, j, toks, `code point U+${(utf8Decode(bytes.subarray(i, j)).codePointAt(0) ?? 0).toString(16).toUpperCase()}`);
      i = j;
    }
    const merged = this.mergeByScore(toks);
    if (options.addEos) merged.push(this.eosId ?? LLAMA2C_EOS);
    return merged;
  }

  private pushBytes(bytes: ArrayLike<number>, i: number, j: number, out: number[], what: string): void {
    if (!this.hasByteFallback) throw new VocabError(`encode: ${what} is not in the vocabulary and it has no byte-fallback pieces <0x00>..<0xFF> at ids 3..258`);
    for (let k = i; k < j; k++) out.push(bytes[k]! + LLAMA2C_BYTE_OFFSET);
  }

  /** run.c's merge loop: best-score pair first, leftmost on ties; scores must exceed -1e10 as in run.c. */
  private mergeByScore(toks: number[]): number[] {
    const n = toks.length;
    if (n < 2) return toks;
    const scores = this.vocab.scores;
    const canon = this.canon;
    const pairs = this.pairs;
    const sym = Int32Array.from(toks);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      next[k] = k + 1 < n ? k + 1 : -1;
      prev[k] = k - 1;
    }
    const mergedOf = (x: number, y: number): number => (x < canon.length && y < canon.length ? pairs.merged(canon[x]!, canon[y]!) : -1);
    const heap = new MinHeap2();
    const consider = (pos: number): void => {
      const nx = next[pos]!;
      if (nx < 0) return;
      const m = mergedOf(sym[pos]!, sym[nx]!);
      if (m >= 0 && scores[m]! > -1e10) heap.push(-scores[m]!, pos);
    };
    for (let k = 0; k + 1 < n; k++) consider(k);
    while (heap.size > 0) {
      const negScore = heap.topKey;
      const pos = heap.topVal;
      heap.pop();
      if (sym[pos] === -1) continue;
      const nx = next[pos]!;
      if (nx < 0) continue;
      const m = mergedOf(sym[pos]!, sym[nx]!);
      if (m < 0 || -scores[m]! !== negScore) continue; // stale
      sym[pos] = m;
      sym[nx] = -1;
      const nn = next[nx]!;
      next[pos] = nn;
      if (nn >= 0) prev[nn] = pos;
      if (prev[pos]! >= 0) consider(prev[pos]!);
      consider(pos);
    }
    const out: number[] = [];
    for (let k = 0; k >= 0; k = next[k]!) out.push(sym[k]!);
    return out;
  }

  decodeBytes(ids: ArrayLike<number>, options: DecodeOptions = {}): Uint8Array {
    checkIdArray(ids, (m) => new VocabError(m));
    const skip = options.skipSpecialTokens ?? false;
    const n = this.vocab.pieces.length;
    const parts: Uint8Array[] = [];
    let total = 0;
    let prev = -1;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!(Number.isInteger(id) && id >= 0 && id < this.vocabSize)) {
        throw new VocabError(`decode: id ${String(id)} at position ${i} is not a token id; expected an integer in [0, ${this.vocabSize})`);
      }
      let part: Uint8Array;
      if (id >= n) part = skip ? new Uint8Array(0) : utf8Encode(this.addedSpecials[id - n]!);
      else if (id === LLAMA2C_BOS || id === LLAMA2C_EOS || (skip && id === LLAMA2C_UNK)) part = new Uint8Array(0);
      else if (this.byteOf[id]! >= 0) part = Uint8Array.of(this.byteOf[id]!);
      else {
        part = this.vocab.pieces[id]!;
        if (prev === LLAMA2C_BOS && part[0] === 0x20) part = part.subarray(1);
      }
      parts.push(part);
      total += part.length;
      prev = id;
    }
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    return utf8Decode(this.decodeBytes(ids, options));
  }

  tokenToId(token: string): number | undefined {
    return this.specialByName.get(token) ?? this.lookup.get(binKey(utf8Encode(token)));
  }

  idToToken(id: number): string | undefined {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) return undefined;
    const n = this.vocab.pieces.length;
    if (id >= n) return this.addedSpecials[id - n];
    if (id === LLAMA2C_UNK) return '<unk>';
    if (id === LLAMA2C_BOS) return '<s>';
    if (id === LLAMA2C_EOS) return '</s>';
    return utf8Decode(this.vocab.pieces[id]!);
  }

  withSpecialTokens(names: readonly string[], roles?: SpecialRoles): Llama2cTokenizer {
    const added = [...this.addedSpecials];
    for (const name of names) {
      if (typeof name !== 'string' || name.length === 0) throw new VocabError(`withSpecialTokens: special token names must be non-empty strings, got ${JSON.stringify(name)}`);
      if (!this.specialByName.has(name) && !added.includes(name)) added.push(name);
    }
    return new Llama2cTokenizer(this.vocab, added, roles ?? this.roles);
  }
}
