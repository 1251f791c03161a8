/**
 * Model files as the commands find them: a model (an xrec / Hugging Face directory or a llama2.c .bin) and
 * its tokenizer — given by flag, else inside the model directory (`tokenizer.json`, `tokenizer.bin`, GPT-2's
 * `encoder.json` + `vocab.bpe`), else the path an older xrec recorded in the weights' metadata.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadSafetensors, NotFoundError } from '@xrec/core';
import { loadTokenizer, type Tokenizer } from '@xrec/tokenizer';
import { loadLlama2c, TransformerLM } from '@xrec/transformer';

/** Load the model at `path`; `flag` names the option in errors. */
export async function loadModelAt(path: string, flag: string): Promise<TransformerLM> {
  const p = resolve(path);
  if (!existsSync(p)) throw new NotFoundError(`${flag}: ${p} does not exist (expected a model directory with config.json + model.safetensors, or a llama2.c .bin)`);
  return statSync(p).isDirectory() ? TransformerLM.load(p) : loadLlama2c(p);
}

/** The tokenizer file or directory of the model at `model` (see the file header). */
export async function modelTokenizerPath(model: string, tokenizerFlag: string | undefined): Promise<string> {
  if (tokenizerFlag !== undefined) return resolve(tokenizerFlag);
  const p = resolve(model);
  if (existsSync(p) && statSync(p).isDirectory()) {
    for (const f of ['tokenizer.json', 'tokenizer.bin']) if (existsSync(join(p, f))) return join(p, f);
    if (existsSync(join(p, 'encoder.json')) && existsSync(join(p, 'vocab.bpe'))) return p;
    const st = join(p, 'model.safetensors');
    const recorded = existsSync(st) ? (await loadSafetensors(st)).metadata.tokenizer : undefined;
    if (recorded !== undefined) {
      if (existsSync(recorded)) return recorded;
      throw new NotFoundError(`--tokenizer: ${p} records the tokenizer path ${recorded}, which does not exist (moved or deleted?); pass --tokenizer`);
    }
  }
  throw new ConfigError(`--tokenizer: needed: ${p} holds no tokenizer.json, tokenizer.bin or GPT-2 vocabulary files and records no tokenizer path`);
}

/**
 * Check that a tokenizer fits a model: more ids than embedding rows is an error; for a llama2.c model the
 * vocabularies must match exactly (its .bin tokenizers carry exactly the model's vocabulary); a smaller
 * tokenizer for a directory model (a padded vocabulary, as nanoGPT's 50304) returns a note for stderr.
 */
export function checkTokenizerFits(tok: Tokenizer, model: TransformerLM, modelPath: string): string | undefined {
  const v = model.config.vocabSize;
  if (tok.vocabSize > v) throw new ConfigError(`--tokenizer: vocabulary of ${tok.vocabSize} ids does not fit the model's ${v} embedding rows (wrong tokenizer for ${modelPath}?)`);
  const isBin = !statSync(resolve(modelPath)).isDirectory();
  if (isBin && tok.vocabSize !== v) {
    throw new ConfigError(`--tokenizer: ${tok.vocabSize} ids but the llama2.c model ${modelPath} has a vocabulary of ${v} (wrong tokenizer .bin?)`);
  }
  if (tok.vocabSize < v) return `note: the tokenizer has ${tok.vocabSize} ids, the model ${v} embedding rows (a padded vocabulary, or the wrong tokenizer)`;
  return undefined;
}

/** Load the tokenizer of a model and check that it fits; notes go to `warn`. */
export async function modelTokenizer(modelPath: string, model: TransformerLM, tokenizerFlag: string | undefined, warn: (s: string) => void): Promise<Tokenizer> {
  const tok = await loadTokenizer(await modelTokenizerPath(modelPath, tokenizerFlag));
  const note = checkTokenizerFits(tok, model, modelPath);
  if (note) warn(note);
  return tok;
}
