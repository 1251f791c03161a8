/**
 * A P5 recommender: a T5 encoder–decoder, its tokenizer, one prompt template and the item catalogue. It ranks
 * items two ways that agree on direct prompts (a test checks it):
 *
 * - `rank`: beam search constrained by a prefix trie of the valid item ids (the candidates of a direct
 *   prompt, else the catalogue without the user's history — the items the baselines rank too), hypotheses
 *   ordered by summed log-probability — P5's generative ranking;
 * - `scoreItems`: log p(item | prompt) of each item, teacher-forced.
 *
 * Saved as a folder: the T5 files (`config.json`, `model.safetensors`), `tokenizer.json` and `p5.json`
 * (template, whole-word, item- and user-token flags, catalogue).
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError, ConfigError, DataError, Rng, writeDirAtomic } from '@xrec/core';
import { loadTokenizer, toHfTokenizerJsonText, type BpeTokenizer, type Tokenizer } from '@xrec/tokenizer';
import type * as tf from '@tensorflow/tfjs';
import { loadT5, PrefixTrie, saveT5, T5Model, type T5Config, type T5Prefix, type T5Row } from '@xrec/transformer';
import { sortByScore, validItems } from './baselines.js';
import { encodeItemTokenTarget, encodeSource, encodeTarget, itemTokenName, userTokenName } from './encode.js';
import type { RecExample } from './examples.js';
import { p5Template, yesNoPrompt, type P5Domain, type P5Task, type P5Template } from './templates.js';

export interface P5Options {
  readonly task: P5Task;
  readonly domain: P5Domain;
  /** Add P5's whole-word embeddings to the encoder input (default false: ids as plain sub-word pieces). */
  readonly wholeWord?: boolean;
  /**
   * Independent indexing (Hua et al. 2023): every item is one token `<item_{id}>` added to the tokenizer,
   * written in place of the id in prompts and answered as a single token (default false).
   */
  readonly itemTokens?: boolean;
  /**
   * One token `<user_{id}>` per user known at creation (given to `create`), written in place of the id; a user
   * without a token keeps the plain sub-word id. Default false.
   */
  readonly userTokens?: boolean;
  /** Longest source in tokens (longer ones keep their end). Default 512. */
  readonly maxSourceLength?: number;
}

const P5_FILE = 'p5.json';

export class P5Recommender {
  readonly template: P5Template;
  private readonly targets = new Map<string, number[]>();
  private readonly catalogueTrie: PrefixTrie;

  constructor(
    readonly model: T5Model,
    readonly tokenizer: Tokenizer,
    readonly items: readonly string[],
    readonly options: P5Options,
  ) {
    this.template = p5Template(options.task, options.domain);
    if (items.length === 0) throw new ConfigError('P5Recommender: the item catalogue is empty');
    if (options.wholeWord && model.config.wholeWordEmbeddings === 0) throw new ConfigError('P5Recommender: wholeWord needs a T5 with wholeWordEmbeddings > 0');
    if (tokenizer.vocabSize > model.config.vocabSize) throw new ConfigError(`P5Recommender: the tokenizer has ${tokenizer.vocabSize} ids but the model only ${model.config.vocabSize}`);
    const seen = new Map<string, string>();
    for (const it of items) {
      const t = options.itemTokens ? encodeItemTokenTarget(tokenizer, it) : encodeTarget(tokenizer, it);
      const key = t.join(',');
      if (seen.has(key)) throw new DataError(`P5Recommender: items '${seen.get(key)}' and '${it}' have the same token ids`);
      seen.set(key, it);
      this.targets.set(it, t);
    }
    this.catalogueTrie = new PrefixTrie(this.targets.values());
  }

  /**
   * A new randomly initialised recommender (T5 pad/EOS ids from the tokenizer, vocabulary = the tokenizer's;
   * with `itemTokens`, the tokenizer first gets one token per item; with `userTokens`, one per user of `users`).
   */
  static create(tokenizer: Tokenizer, items: readonly string[], options: P5Options, config: Partial<T5Config>, seed = 0, users: readonly string[] = []): P5Recommender {
    if (options.userTokens && users.length === 0) throw new ConfigError('P5Recommender.create: userTokens needs the users who get a token (the last argument)');
    if (options.itemTokens) tokenizer = tokenizer.withSpecialTokens(items.map(itemTokenName));
    if (options.userTokens) tokenizer = tokenizer.withSpecialTokens([...new Set(users)].map(userTokenName));
    if (tokenizer.padId === undefined || tokenizer.eosId === undefined) throw new ConfigError("P5Recommender.create: the tokenizer needs pad and end-of-sequence tokens ('<pad>', '<eos>')");
    const model = T5Model.create(
      { ...config, vocabSize: tokenizer.vocabSize, padId: tokenizer.padId, eosId: tokenizer.eosId, decoderStartId: tokenizer.padId, wholeWordEmbeddings: options.wholeWord ? (config.wholeWordEmbeddings ?? 512) : 0 },
      new Rng(seed),
    );
    return new P5Recommender(model, tokenizer, items, options);
  }

  /** The prompt text of an example (with item tokens in place of the ids when the recommender uses them). */
  prompt(ex: RecExample): string {
    const item = (i: string) => this.itemWord(i);
    return this.template.source({ ...ex, user: this.userWord(ex.user), history: ex.history.map(item), ...(ex.candidates ? { candidates: ex.candidates.map(item) } : {}) });
  }

  /** How a user id is written in prompts: its token under `userTokens` when it has one, else the id. */
  private userWord(user: string): string {
    return this.options.userTokens && this.tokenizer.specialTokens[userTokenName(user)] !== undefined ? userTokenName(user) : user;
  }

  /** How an item id is written in prompts: its token under `itemTokens`, else the id. */
  private itemWord(item: string): string {
    return this.options.itemTokens ? itemTokenName(item) : item;
  }

  /** The encoder input of an example (with whole-word ids when the model uses them). */
  source(ex: RecExample): T5Row {
    return this.encoderInput(this.prompt(ex));
  }

  /** The encoder input of the yes/no prompt (template 5-1) about `item` for `user`. */
  yesNoSource(user: string, item: string): T5Row {
    return this.encoderInput(yesNoPrompt(this.userWord(user), this.itemWord(item), this.options.domain));
  }

  private encoderInput(text: string): T5Row {
    const e = encodeSource(this.tokenizer, text, this.options.maxSourceLength ?? 512, this.options.itemTokens === true || this.options.userTokens === true);
    return this.options.wholeWord ? e : e.ids;
  }

  /** The target ids of a yes/no answer (` yes` / ` no` and EOS). */
  answerTarget(answer: 'yes' | 'no'): number[] {
    return encodeTarget(this.tokenizer, answer);
  }

  /** The target ids of an item (its pieces and EOS); NotFound items are a DataError. */
  target(item: string): number[] {
    const t = this.targets.get(item);
    if (!t) throw new DataError(`P5Recommender: item '${item}' is not in the catalogue`);
    return t;
  }

  /** The items an example may be answered with: its candidates, else the catalogue without its history. */
  validItems(ex: RecExample): readonly string[] {
    return validItems(ex, this.items);
  }

  /**
   * Items ranked by trie-constrained beam search (at most `beams`, best first); every one is a valid item.
   * `prefix`: per-layer key/value prompts the frozen model attends to (UP5's fairness prompts); `encoderEdit`:
   * an intervention on the encoder states [S, d] before decoding (the fairness task's projection baseline).
   */
  rank(ex: RecExample, beams = 20, prefix?: T5Prefix, encoderEdit?: (enc: tf.Tensor2D) => tf.Tensor2D): string[] {
    const valid = this.validItems(ex);
    const trie = valid.length === this.items.length ? this.catalogueTrie : new PrefixTrie(valid.map((i) => this.target(i)));
    const byKey = new Map(valid.map((i) => [this.target(i).join(','), i]));
    const maxLen = Math.max(...valid.map((i) => this.target(i).length));
    const hyps = this.model.beamSearch({ input: this.source(ex), beams: Math.min(beams, valid.length), maxNewTokens: maxLen, allowed: (p) => trie.allowed(p), ...(prefix ? { prefix } : {}), ...(encoderEdit ? { encoderEdit } : {}) });
    return hyps.map((h) => byKey.get(h.tokens.join(','))).filter((i): i is string => i !== undefined);
  }

  /** log p(item | prompt) for each of `items` (default: the example's candidates, else the catalogue). */
  scoreItems(ex: RecExample, items: readonly string[] = this.validItems(ex), prefix?: T5Prefix): number[] {
    return this.model.sequenceLogLikelihood(this.source(ex), items.map((i) => this.target(i)), prefix);
  }

  /** Items ordered by `scoreItems` (ties keep the given order). */
  rankByLikelihood(ex: RecExample, items: readonly string[] = this.validItems(ex), prefix?: T5Prefix): string[] {
    const s = this.scoreItems(ex, items, prefix);
    return sortByScore(items, (_, k) => s[k]!);
  }

  /**
   * Save into `dir`, built in a temporary sibling and renamed, so a failed save changes nothing. An existing
   * P5 save there is replaced; any other non-empty folder is refused (ConfigError).
   */
  async save(dir: string): Promise<void> {
    const tok = this.tokenizer as BpeTokenizer;
    if (tok.kind !== 'bpe') throw new ConfigError('P5Recommender.save: only byte-level BPE tokenizers can be saved');
    if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(join(dir, P5_FILE))) {
      throw new ConfigError(`P5Recommender.save: ${dir} is a non-empty folder that is not a P5 save; choose a new folder`);
    }
    await writeDirAtomic(dir, async (tmp) => {
      await saveT5(this.model, tmp);
      await writeFile(join(tmp, 'tokenizer.json'), toHfTokenizerJsonText(tok));
      await writeFile(join(tmp, P5_FILE), `${JSON.stringify({ format: 'xrec-p5', version: 1, options: this.options, items: this.items }, null, 1)}\n`);
    });
  }

  static async load(dir: string): Promise<P5Recommender> {
    let meta: { format?: string; options?: P5Options; items?: string[] };
    try {
      meta = JSON.parse(await readFile(join(dir, P5_FILE), 'utf8'));
    } catch (e) {
      throw new CheckpointError(`P5Recommender.load: ${join(dir, P5_FILE)}: ${(e as Error).message}`);
    }
    if (meta.format !== 'xrec-p5' || !meta.options || !Array.isArray(meta.items)) throw new CheckpointError(`P5Recommender.load: ${join(dir, P5_FILE)} is not an xrec P5 file`);
    return new P5Recommender(await loadT5(dir), await loadTokenizer(join(dir, 'tokenizer.json')), meta.items, meta.options);
  }

  dispose(): void {
    this.model.dispose();
  }
}
