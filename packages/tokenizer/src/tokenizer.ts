/**
 * The tokenizer interface shared by every xrec model (PEPLER, `xrec train lm`, the bench app), implemented by
 * byte-level BPE ({@link BpeTokenizer}) and llama2.c vocabularies ({@link Llama2cTokenizer}).
 */

/** Options of {@link Tokenizer.encode}. Nothing special is added unless asked for. */
export interface EncodeOptions {
  /** Prepend {@link Tokenizer.bosId} (VocabError when the tokenizer has none). Default false. */
  readonly addBos?: boolean;
  /** Append {@link Tokenizer.eosId} (VocabError when the tokenizer has none). Default false. */
  readonly addEos?: boolean;
  /**
   * Recognise special-token text (e.g. `"<eos>"`) inside `text` and emit its id. Default false: user text is
   * always encoded as plain text, so it can never inject control tokens.
   */
  readonly allowSpecial?: boolean;
}

/** VocabError unless `ids` is an array or typed array (decode's input check). */
export function checkIdArray(ids: unknown, fail: (msg: string) => Error): void {
  if (!Array.isArray(ids) && !(ArrayBuffer.isView(ids) && !(ids instanceof DataView))) {
    throw fail(`decode: expected an array of token ids, got ${ids === null ? 'null' : typeof ids}`);
  }
}

/** Options of {@link Tokenizer.decode}. */
export interface DecodeOptions {
  /** Leave special tokens out of the text. Default false (they appear as their name, e.g. `<eos>`). */
  readonly skipSpecialTokens?: boolean;
}

export interface Tokenizer {
  /** Which implementation: byte-level BPE (GPT-2, trained, tokenizer.json) or a llama2.c vocabulary. */
  readonly kind: 'bpe' | 'llama2c';
  /** Number of ids, special tokens included: every id is in [0, vocabSize). */
  readonly vocabSize: number;
  /** Token ids of `text`; no special tokens are added unless `options` asks for them. */
  encode(text: string, options?: EncodeOptions): number[];
  /** Text of `ids`. Invalid UTF-8 (e.g. a multi-byte character cut between tokens) becomes U+FFFD; unknown ids throw VocabError. */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  /** The raw bytes of `ids` (exact, no replacement). `ids` may be a number[] or an Int32Array. */
  decodeBytes(ids: ArrayLike<number>, options?: DecodeOptions): Uint8Array;
  /** Id of a token spelling (byte-level spelling such as `Ġthe` for BPE, a piece for llama2.c) or special token name. */
  tokenToId(token: string): number | undefined;
  /** Spelling of an id, or undefined when out of range. */
  idToToken(id: number): string | undefined;
  /** Special tokens by name, e.g. `{ '<bos>': 8000, '<eos>': 8001, '<pad>': 8002 }`. */
  readonly specialTokens: Readonly<Record<string, number>>;
  readonly bosId?: number;
  readonly eosId?: number;
  readonly padId?: number;
  /** The masked-LM mask token (`<mask>` / `[MASK]`), when the tokenizer has one. */
  readonly maskId?: number;
  /**
   * A new tokenizer with the named special tokens added (as PEPLER adds `<bos>`, `<eos>`, `<pad>` to GPT-2):
   * names already present keep their id, new ones get ids vocabSize, vocabSize + 1, ...
   * `<bos>`/`<eos>`/`<pad>`/`<mask>` (or `roles`) become bosId/eosId/padId/maskId.
   */
  withSpecialTokens(names: readonly string[], roles?: SpecialRoles): Tokenizer;
}

/** Which special token plays which role; names must be special tokens of the tokenizer. */
export interface SpecialRoles {
  readonly bos?: string;
  readonly eos?: string;
  readonly pad?: string;
  readonly mask?: string;
}

/** Names tried, in order, for each role when no explicit role is given. */
export const DEFAULT_ROLE_NAMES: Readonly<Record<'bos' | 'eos' | 'pad' | 'mask', readonly string[]>> = {
  bos: ['<bos>', '<s>', '<|begin_of_text|>', '<|endoftext|>'],
  eos: ['<eos>', '</s>', '<|end_of_text|>', '<|endoftext|>'],
  pad: ['<pad>', '[PAD]', '<|pad|>'],
  mask: ['<mask>', '[MASK]'],
};

/** Resolve role ids from explicit role names (checked) or the default names. */
export function resolveRoles(
  specials: ReadonlyMap<string, number>,
  roles: SpecialRoles | undefined,
  where: string,
  fail: (msg: string) => Error,
): { bosId?: number; eosId?: number; padId?: number; maskId?: number } {
  const pick = (role: 'bos' | 'eos' | 'pad' | 'mask'): number | undefined => {
    const explicit = roles?.[role];
    if (explicit !== undefined) {
      const id = specials.get(explicit);
      if (id === undefined) throw fail(`${where}: role ${role} names ${JSON.stringify(explicit)}, which is not a special token (have ${JSON.stringify([...specials.keys()])})`);
      return id;
    }
    for (const name of DEFAULT_ROLE_NAMES[role]) {
      const id = specials.get(name);
      if (id !== undefined) return id;
    }
    return undefined;
  };
  const out: { bosId?: number; eosId?: number; padId?: number; maskId?: number } = {};
  const b = pick('bos');
  const e = pick('eos');
  const p = pick('pad');
  const m = pick('mask');
  if (b !== undefined) out.bosId = b;
  if (e !== undefined) out.eosId = e;
  if (p !== undefined) out.padId = p;
  if (m !== undefined) out.maskId = m;
  return out;
}
