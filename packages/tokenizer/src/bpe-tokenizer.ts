/**
 * Byte-level BPE tokenizer (GPT-2 style; Radford et al. 2019): normalizer (optional) -> pre-tokenizer (GPT-2
 * pattern by default) -> byte-level BPE per pre-token ({@link BpeModel}) -> ids. Added/special tokens get ids
 * after the model's vocabulary (or reuse a model id, as GPT-2's `<|endoftext|>` = 50256 does).
 *
 * Speed: the GPT-2 pattern is a hand-written scanner, and the ids of each distinct pre-token are cached in a
 * hash table probed with the piece's position in the input ({@link PieceCache}: no substring is created on a
 * hit), so on natural text almost every piece costs one scan, one hash and one compare.
 */
import { VocabError } from '@xrec/core';
import { BpeModel } from './bpe-model.js';
import { gpt2PieceEnd, regexPreTokenizer } from './pretokenize.js';
import { FNV_OFFSET, FNV_PRIME, hashRange, PieceCache } from './piece-cache.js';
import { checkIdArray, DEFAULT_ROLE_NAMES, resolveRoles, type DecodeOptions, type EncodeOptions, type SpecialRoles, type Tokenizer } from './tokenizer.js';
import { utf8Decode, utf8Encode, utf8EncodeInto } from './utf8.js';

/** How text is split before BPE. */
export type PreTokenizerSpec =
  | { readonly type: 'gpt2' }
  | { readonly type: 'regex'; readonly pattern: string }
  | { readonly type: 'none' };

export type NormalizerSpec = 'NFC' | 'NFD' | 'NFKC' | 'NFKD' | null;

/** A token outside the BPE merges (Hugging Face "added token"); `special` ones are control tokens. */
export interface AddedToken {
  readonly content: string;
  readonly id: number;
  readonly special: boolean;
  /**
   * Hugging Face's `lstrip` / `rstrip`: when matched in text (encode with `allowSpecial`), the token also
   * takes the whitespace on its left / right. A byte-level mask token needs `lstrip` (RoBERTa's `<mask>`):
   * it stands for a whole word with its leading space, so "was <mask>." must not leave a lone " " token.
   */
  readonly lstrip?: boolean;
  readonly rstrip?: boolean;
}

/** Added tokens that play the mask role get `lstrip` (RoBERTa's convention for byte-level vocabularies). */
export function maskStrips(content: string, roles?: SpecialRoles): boolean {
  return roles?.mask !== undefined ? roles.mask === content : DEFAULT_ROLE_NAMES.mask.includes(content);
}

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

export interface BpeTokenizerSpec {
  readonly model: BpeModel;
  readonly preTokenizer?: PreTokenizerSpec;
  /** Prepend a space to text that does not start with one (HF ByteLevel `add_prefix_space`). Default false. */
  readonly addPrefixSpace?: boolean;
  readonly normalizer?: NormalizerSpec;
  readonly addedTokens?: readonly AddedToken[];
  readonly roles?: SpecialRoles;
  /** Most distinct pre-tokens kept in the encode cache (it is cleared when full). Default 100,000. */
  readonly cacheSize?: number;
}

const EMPTY = new Uint8Array(0);

export class BpeTokenizer implements Tokenizer {
  readonly kind = 'bpe' as const;
  readonly model: BpeModel;
  readonly preTokenizer: PreTokenizerSpec;
  readonly addPrefixSpace: boolean;
  readonly normalizer: NormalizerSpec;
  readonly addedTokens: readonly AddedToken[];
  readonly roles: SpecialRoles | undefined;
  readonly vocabSize: number;
  readonly specialTokens: Readonly<Record<string, number>>;
  readonly bosId?: number;
  readonly eosId?: number;
  readonly padId?: number;
  readonly maskId?: number;

  private readonly addedByContent = new Map<string, AddedToken>();
  private readonly addedById = new Map<number, AddedToken>();
  private readonly splitRegex: ((text: string) => string[]) | undefined;
  private readonly specialRegex: RegExp | undefined;
  /** Bytes of every id, flattened: id's bytes are flat[off[id], off[id + 1]). */
  private readonly flat: Uint8Array;
  private readonly off: Int32Array;
  private readonly isSpecialId: Uint8Array;
  private readonly cache: PieceCache;
  private readonly cacheSize: number;
  private scratch = new Uint8Array(1024);
  private readonly tmp: number[] = [];

  constructor(spec: BpeTokenizerSpec, where = 'BpeTokenizer') {
    this.model = spec.model;
    this.preTokenizer = spec.preTokenizer ?? { type: 'gpt2' };
    this.addPrefixSpace = spec.addPrefixSpace ?? false;
    this.normalizer = spec.normalizer ?? null;
    this.addedTokens = [...(spec.addedTokens ?? [])];
    this.roles = spec.roles;
    this.cacheSize = spec.cacheSize ?? 100_000;
    this.cache = new PieceCache(this.cacheSize * 2);
    const modelSize = this.model.size;
    let size = modelSize;
    for (const t of this.addedTokens) {
      if (typeof t.content !== 'string' || t.content.length === 0) throw new VocabError(`${where}: added token id ${t.id} has empty content`);
      if (!Number.isInteger(t.id) || t.id < 0) throw new VocabError(`${where}: added token ${JSON.stringify(t.content)} has id ${t.id}; expected a non-negative integer`);
      if (this.addedByContent.has(t.content)) throw new VocabError(`${where}: added token ${JSON.stringify(t.content)} appears twice`);
      if (this.addedById.has(t.id)) throw new VocabError(`${where}: added tokens ${JSON.stringify(this.addedById.get(t.id)!.content)} and ${JSON.stringify(t.content)} share id ${t.id}`);
      if (t.id < modelSize && this.model.tokens[t.id] !== t.content) {
        throw new VocabError(`${where}: added token ${JSON.stringify(t.content)} has id ${t.id}, which the BPE vocabulary uses for ${JSON.stringify(this.model.tokens[t.id])}`);
      }
      this.addedByContent.set(t.content, t);
      this.addedById.set(t.id, t);
      size = Math.max(size, t.id + 1);
    }
    for (let id = modelSize; id < size; id++) {
      if (!this.addedById.has(id)) throw new VocabError(`${where}: ids must be dense, but no token has id ${id} (BPE vocabulary ${modelSize}, largest added id ${size - 1})`);
    }
    this.vocabSize = size;
    const specials = new Map<string, number>();
    for (const t of this.addedTokens) if (t.special) specials.set(t.content, t.id);
    this.specialTokens = Object.freeze(Object.fromEntries(specials));
    Object.assign(this, resolveRoles(specials, spec.roles, where, (m) => new VocabError(m)));

    this.splitRegex = this.preTokenizer.type === 'regex' ? regexPreTokenizer(this.preTokenizer.pattern, where) : undefined;
    const contents = this.addedTokens.map((t) => t.content).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    this.specialRegex = contents.length > 0 ? new RegExp(contents.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : undefined;

    // Flattened bytes per id, for decode.
    const off = new Int32Array(size + 1);
    const parts: Uint8Array[] = [];
    this.isSpecialId = new Uint8Array(size);
    let total = 0;
    for (let id = 0; id < size; id++) {
      const added = this.addedById.get(id);
      const bytes = added && id >= modelSize ? utf8Encode(added.content) : (this.model.tokenBytes[id] ?? EMPTY);
      if (added?.special) this.isSpecialId[id] = 1;
      parts.push(bytes);
      off[id] = total;
      total += bytes.length;
    }
    off[size] = total;
    this.flat = new Uint8Array(total);
    parts.forEach((p, id) => this.flat.set(p, off[id]!));
    this.off = off;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    if (typeof text !== 'string') throw new VocabError(`encode: expected a string, got ${text === null ? 'null' : typeof text}`);
    const out: number[] = [];
    if (options.addBos) out.push(this.requireRole('bosId', 'addBos'));
    if (options.allowSpecial && this.specialRegex) {
      let last = 0;
      for (const m of text.matchAll(this.specialRegex)) {
        if (m.index < last) continue; // inside whitespace an rstrip token took
        const t = this.addedByContent.get(m[0])!;
        let start = m.index;
        if (t.lstrip) while (start > last && isSpace(text[start - 1])) start--;
        if (start > last) this.encodeOrdinary(text.slice(last, start), out);
        out.push(t.id);
        last = m.index + m[0].length;
        if (t.rstrip) while (last < text.length && isSpace(text[last])) last++;
      }
      if (last < text.length) this.encodeOrdinary(last === 0 ? text : text.slice(last), out);
    } else {
      this.encodeOrdinary(text, out);
    }
    if (options.addEos) out.push(this.requireRole('eosId', 'addEos'));
    return out;
  }

  private requireRole(role: 'bosId' | 'eosId', option: string): number {
    const id = this[role];
    if (id === undefined) throw new VocabError(`encode: ${option} was requested but the tokenizer has no ${role === 'bosId' ? 'BOS' : 'EOS'} token (special tokens: ${JSON.stringify(this.specialTokens)}); add one with withSpecialTokens(['${role === 'bosId' ? '<bos>' : '<eos>'}'])`);
    return id;
  }

  /** Encode plain text (no special-token matching), appending to `out`. */
  private encodeOrdinary(text: string, out: number[]): void {
    if (this.normalizer !== null) text = text.normalize(this.normalizer);
    if (this.addPrefixSpace && text.length > 0 && text.charCodeAt(0) !== 0x20) text = ` ${text}`;
    const n = text.length;
    if (n === 0) return;
    if (this.preTokenizer.type === 'gpt2') {
      const cache = this.cache;
      let i = 0;
      while (i < n) {
        // Fast path for the commonest pieces, ASCII words with or without a leading space: scan and hash in
        // one loop. Anything else (or a word that runs into a non-ASCII character) takes the general scanner.
        let j = -1;
        let h = FNV_OFFSET;
        let k = i;
        let c = text.charCodeAt(k);
        if (c === 0x20 && k + 1 < n) {
          h = Math.imul(h ^ c, FNV_PRIME);
          c = text.charCodeAt(++k);
        }
        if (((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a)) {
          do {
            h = Math.imul(h ^ c, FNV_PRIME);
            c = ++k < n ? text.charCodeAt(k) : 0x20;
          } while ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
          if (c < 0x80) j = k;
        }
        if (j < 0) {
          j = gpt2PieceEnd(text, i);
          h = FNV_OFFSET;
          for (k = i; k < j; k++) h = Math.imul(h ^ text.charCodeAt(k), FNV_PRIME);
        }
        const slot = cache.find(text, i, j, h);
        if (slot >= 0) cache.emit(slot, out);
        else this.encodePieceMiss(text.slice(i, j), h, slot, out);
        i = j;
      }
      return;
    }
    const pieces = this.splitRegex ? this.splitRegex(text) : [text];
    for (const piece of pieces) {
      const h = hashRange(piece, 0, piece.length);
      const slot = this.cache.find(piece, 0, piece.length, h);
      if (slot >= 0) this.cache.emit(slot, out);
      else this.encodePieceMiss(piece, h, slot, out);
    }
  }

  private encodePieceMiss(piece: string, h: number, slot: number, out: number[]): void {
    const need = piece.length * 3;
    if (this.scratch.length < need) this.scratch = new Uint8Array(need * 2);
    const nb = utf8EncodeInto(piece, 0, piece.length, this.scratch);
    const tmp = this.tmp;
    tmp.length = 0;
    this.model.encodeBytes(this.scratch, nb, tmp);
    for (let k = 0; k < tmp.length; k++) out.push(tmp[k]!);
    if (piece.length > 256) return; // one huge piece must not pin memory
    // A long slice may share the input document's memory (V8 sliced string): store a flat copy instead, so the
    // cache never keeps whole documents alive.
    this.cache.insert(slot, piece.length >= 13 ? ` ${piece}`.slice(1) : piece, h, tmp);
  }

  /** Forget the cached ids of pre-tokens (e.g. to measure cold-start speed). */
  clearCache(): void {
    this.cache.clear();
  }

  decodeBytes(ids: ArrayLike<number>, options: DecodeOptions = {}): Uint8Array {
    checkIdArray(ids, (m) => new VocabError(m));
    const skip = options.skipSpecialTokens ?? false;
    const off = this.off;
    const size = this.vocabSize;
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id < size && Number.isInteger(id))) throw this.badId(id, i);
      if (skip && this.isSpecialId[id] === 1) continue;
      total += off[id + 1]! - off[id]!;
    }
    const out = new Uint8Array(total);
    const flat = this.flat;
    let w = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (skip && this.isSpecialId[id] === 1) continue;
      const end = off[id + 1]!;
      for (let k = off[id]!; k < end; k++) out[w++] = flat[k]!;
    }
    return out;
  }

  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    return utf8Decode(this.decodeBytes(ids, options));
  }

  private badId(id: unknown, pos: number): VocabError {
    return new VocabError(`decode: id ${String(id)} at position ${pos} is not a token id; expected an integer in [0, ${this.vocabSize})`);
  }

  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token)?.id ?? this.model.tokenToId.get(token);
  }

  idToToken(id: number): string | undefined {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) return undefined;
    return this.addedById.get(id)?.content ?? this.model.tokens[id];
  }

  withSpecialTokens(names: readonly string[], roles?: SpecialRoles): BpeTokenizer {
    const added = [...this.addedTokens];
    let next = this.vocabSize;
    for (const name of names) {
      if (typeof name !== 'string' || name.length === 0) throw new VocabError(`withSpecialTokens: special token names must be non-empty strings, got ${JSON.stringify(name)}`);
      if (added.some((t) => t.content === name)) continue;
      const inModel = this.model.tokenToId.get(name);
      // A name that already is a BPE token (e.g. GPT-2's "<|endoftext|>") keeps that id.
      added.push({ content: name, id: inModel ?? next++, special: true, ...(maskStrips(name, roles ?? this.roles) ? { lstrip: true } : {}) });
    }
    return new BpeTokenizer({
      model: this.model,
      preTokenizer: this.preTokenizer,
      addPrefixSpace: this.addPrefixSpace,
      normalizer: this.normalizer,
      addedTokens: added,
      roles: roles ?? this.roles,
      cacheSize: this.cacheSize,
    });
  }
}
