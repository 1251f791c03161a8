/**
 * Hugging Face `tokenizer.json` (format "1.0" of the `tokenizers` library) for byte-level BPE models: read
 * and write. Written files open in Python with `tokenizers.Tokenizer.from_file(path)`; a top-level `xrec`
 * object (ignored by `tokenizers`) carries this package's format name and version, checked on load.
 *
 * Supported on load: model `BPE` (no dropout, no byte fallback, no subword prefix/suffix; `ignore_merges`
 * honoured); pre-tokenizer `ByteLevel` (use_regex -> GPT-2 pattern, add_prefix_space) or `Sequence` of
 * `Split` (a regex, behavior `Isolated`) + `ByteLevel` with use_regex false; normalizer null or NFC/NFD/NFKC/NFKD;
 * `added_tokens`. Anything else is a VocabError naming the field.
 */
import { VocabError } from '@xrec/core';
import { BpeModel } from './bpe-model.js';
import { BpeTokenizer, type AddedToken, type NormalizerSpec, type PreTokenizerSpec } from './bpe-tokenizer.js';
import { denseVocab } from './gpt2-files.js';
import type { SpecialRoles } from './tokenizer.js';

/** Name and version of the xrec section of tokenizer.json files written here. */
export const XREC_TOKENIZER_FORMAT = 'xrec-tokenizer';
export const XREC_TOKENIZER_FORMAT_VERSION = 1;
const HF_VERSION = '1.0';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The tokenizer.json object of a byte-level BPE tokenizer (keys in the order `tokenizers` writes them). */
export function toHfTokenizerJson(tok: BpeTokenizer): Json {
  const byteLevel = (useRegex: boolean): Json => ({ type: 'ByteLevel', add_prefix_space: tok.addPrefixSpace, trim_offsets: true, use_regex: useRegex });
  const pre: PreTokenizerSpec = tok.preTokenizer;
  const preTokenizer: Json =
    pre.type === 'gpt2'
      ? byteLevel(true)
      : pre.type === 'none'
        ? byteLevel(false)
        : { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: pre.pattern }, behavior: 'Isolated', invert: false }, byteLevel(false)] };
  const vocab: Json = {};
  tok.model.tokens.forEach((t, id) => {
    vocab[t] = id;
  });
  const xrec: Json = { format: XREC_TOKENIZER_FORMAT, version: XREC_TOKENIZER_FORMAT_VERSION, kind: 'byte-level-bpe' };
  if (tok.roles) xrec.roles = { ...tok.roles };
  return {
    version: HF_VERSION,
    truncation: null,
    padding: null,
    added_tokens: tok.addedTokens.map((t) => ({ id: t.id, content: t.content, single_word: false, lstrip: t.lstrip === true, rstrip: t.rstrip === true, normalized: false, special: t.special })),
    normalizer: tok.normalizer === null ? null : { type: tok.normalizer },
    pre_tokenizer: preTokenizer,
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: tok.model.ignoreMerges,
      vocab,
      merges: tok.model.merges.map(([a, b]) => `${a} ${b}`),
    },
    xrec,
  };
}

/** tokenizer.json text (2-space indented, deterministic). */
export function toHfTokenizerJsonText(tok: BpeTokenizer): string {
  return `${JSON.stringify(toHfTokenizerJson(tok), null, 2)}\n`;
}

function parseMerges(raw: unknown, where: string): [string, string][] {
  if (!Array.isArray(raw)) throw new VocabError(`${where}: model.merges must be an array, got ${typeof raw}`);
  return raw.map((m, i) => {
    if (typeof m === 'string') {
      const parts = m.split(' ');
      if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') return [parts[0]!, parts[1]!];
    } else if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') {
      return [m[0], m[1]];
    }
    throw new VocabError(`${where}: model.merges[${i}] must be "left right" or ["left", "right"], got ${JSON.stringify(m)}`);
  });
}

function parseNormalizer(raw: unknown, where: string): NormalizerSpec {
  if (raw === null || raw === undefined) return null;
  if (isObject(raw) && (raw.type === 'NFC' || raw.type === 'NFD' || raw.type === 'NFKC' || raw.type === 'NFKD')) return raw.type;
  throw new VocabError(`${where}: normalizer ${JSON.stringify(isObject(raw) ? raw.type : raw)} is not supported (expected null, NFC, NFD, NFKC or NFKD)`);
}

function parsePreTokenizer(raw: unknown, where: string): { pre: PreTokenizerSpec; addPrefixSpace: boolean } {
  const fail = (what: string): never => {
    throw new VocabError(`${where}: pre_tokenizer ${what} is not supported; expected ByteLevel, or Sequence[Split(regex, Isolated), ByteLevel(use_regex=false)]`);
  };
  if (!isObject(raw)) return fail(JSON.stringify(raw));
  if (raw.type === 'ByteLevel') {
    return { pre: raw.use_regex === false ? { type: 'none' } : { type: 'gpt2' }, addPrefixSpace: raw.add_prefix_space === true };
  }
  if (raw.type === 'Sequence' && Array.isArray(raw.pretokenizers) && raw.pretokenizers.length === 2) {
    const [split, bl] = raw.pretokenizers as unknown[];
    if (isObject(split) && split.type === 'Split' && isObject(bl) && bl.type === 'ByteLevel' && bl.use_regex === false) {
      if (split.behavior !== 'Isolated' || split.invert === true) fail(`Split with behavior ${JSON.stringify(split.behavior)}, invert ${JSON.stringify(split.invert)}`);
      const pat = split.pattern;
      let pattern: string | undefined;
      if (isObject(pat) && typeof pat.Regex === 'string') pattern = pat.Regex;
      else if (isObject(pat) && typeof pat.String === 'string') pattern = pat.String.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (pattern === undefined) return fail(`Split pattern ${JSON.stringify(pat)}`);
      return { pre: { type: 'regex', pattern }, addPrefixSpace: bl.add_prefix_space === true };
    }
  }
  return fail(JSON.stringify(raw.type));
}

/** Build a tokenizer from a parsed tokenizer.json object; `where` names the file in errors. */
export function fromHfTokenizerJson(json: unknown, where: string): BpeTokenizer {
  if (!isObject(json)) throw new VocabError(`${where}: expected a tokenizer.json object, got ${Array.isArray(json) ? 'an array' : typeof json}`);
  if (json.version !== undefined && json.version !== HF_VERSION) throw new VocabError(`${where}: tokenizer.json version ${JSON.stringify(json.version)} is not supported (expected "${HF_VERSION}")`);
  let roles: SpecialRoles | undefined;
  if (json.xrec !== undefined) {
    const x = json.xrec;
    if (!isObject(x) || x.format !== XREC_TOKENIZER_FORMAT || typeof x.version !== 'number') {
      throw new VocabError(`${where}: field "xrec" must be { format: "${XREC_TOKENIZER_FORMAT}", version: number }, got ${JSON.stringify(x)}`);
    }
    if (x.version > XREC_TOKENIZER_FORMAT_VERSION) throw new VocabError(`${where}: written by a newer xrec (format version ${x.version}; this version reads up to ${XREC_TOKENIZER_FORMAT_VERSION})`);
    if (isObject(x.roles)) roles = x.roles as SpecialRoles;
  }
  const model = json.model;
  if (!isObject(model)) throw new VocabError(`${where}: field "model" must be an object, got ${JSON.stringify(model)}`);
  if (model.type !== undefined && model.type !== 'BPE') throw new VocabError(`${where}: model.type ${JSON.stringify(model.type)} is not supported (expected "BPE")`);
  if (model.dropout !== undefined && model.dropout !== null && model.dropout !== 0) throw new VocabError(`${where}: model.dropout ${JSON.stringify(model.dropout)} is not supported (expected null)`);
  if (model.byte_fallback === true) throw new VocabError(`${where}: model.byte_fallback is true: a SentencePiece-style BPE, not byte-level; not supported`);
  for (const f of ['continuing_subword_prefix', 'end_of_word_suffix'] as const) {
    if (model[f] !== undefined && model[f] !== null && model[f] !== '') throw new VocabError(`${where}: model.${f} ${JSON.stringify(model[f])} is not supported (expected null or "")`);
  }
  if (!isObject(model.vocab)) throw new VocabError(`${where}: model.vocab must be an object of token -> id`);
  const tokens = denseVocab(model.vocab, `${where}: model.vocab`);
  const merges = parseMerges(model.merges, where);
  const bpe = new BpeModel({ tokens, merges, ignoreMerges: model.ignore_merges === true }, where);
  const { pre, addPrefixSpace } = parsePreTokenizer(json.pre_tokenizer, where);
  const normalizer = parseNormalizer(json.normalizer, where);
  const rawAdded = json.added_tokens ?? [];
  if (!Array.isArray(rawAdded)) throw new VocabError(`${where}: added_tokens must be an array`);
  const addedTokens: AddedToken[] = rawAdded.map((t: unknown, i) => {
    if (!isObject(t) || typeof t.content !== 'string' || typeof t.id !== 'number') throw new VocabError(`${where}: added_tokens[${i}] must have a string "content" and a numeric "id", got ${JSON.stringify(t)}`);
    return { content: t.content, id: t.id, special: t.special === true, ...(t.lstrip === true ? { lstrip: true } : {}), ...(t.rstrip === true ? { rstrip: true } : {}) };
  });
  return new BpeTokenizer({ model: bpe, preTokenizer: pre, addPrefixSpace, normalizer, addedTokens, ...(roles ? { roles } : {}) }, where);
}

/** Parse tokenizer.json text. */
export function fromHfTokenizerJsonText(text: string, where: string): BpeTokenizer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new VocabError(`${where}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  return fromHfTokenizerJson(json, where);
}
