/**
 * A self-contained model directory in Hugging Face's layout: `config.json` (with bos/eos/pad token ids),
 * `model.safetensors`, `tokenizer.json` + `tokenizer_config.json` + `special_tokens_map.json`,
 * `generation_config.json`. No absolute paths anywhere, so the folder can be moved, committed or loaded by
 * `xrec generate --checkpoint DIR` and by transformers.js from local files. A llama2.c tokenizer (which the
 * Hugging Face tokenizer files cannot express) is written as `tokenizer.bin` instead.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, writeFileAtomic } from '@xrec/core';
import { saveTokenizer, type Tokenizer } from '@xrec/tokenizer';
import type { TransformerLM } from '@xrec/transformer';

const json = (x: unknown): string => `${JSON.stringify(x, null, 2)}\n`;

/** Token strings of the tokenizer's roles (by id), for the HF tokenizer files. */
function roleTokens(tok: Tokenizer): { bos?: string; eos?: string; pad?: string; mask?: string } {
  const byId = new Map(Object.entries(tok.specialTokens ?? {}).map(([s, id]) => [id, s]));
  const out: { bos?: string; eos?: string; pad?: string; mask?: string } = {};
  if (tok.bosId !== undefined && byId.has(tok.bosId)) out.bos = byId.get(tok.bosId)!;
  if (tok.eosId !== undefined && byId.has(tok.eosId)) out.eos = byId.get(tok.eosId)!;
  if (tok.padId !== undefined && byId.has(tok.padId)) out.pad = byId.get(tok.padId)!;
  if (tok.maskId !== undefined && byId.has(tok.maskId)) out.mask = byId.get(tok.maskId)!;
  return out;
}

/** Write model, tokenizer and the HF side files into `dir` (each file atomically). */
export async function saveHfModelDir(dir: string, model: TransformerLM, tok: Tokenizer, metadata: Record<string, string> = {}): Promise<void> {
  if (tok.vocabSize > model.config.vocabSize) {
    throw new ConfigError(`saveHfModelDir: the tokenizer has ${tok.vocabSize} ids but the model only ${model.config.vocabSize} embedding rows`);
  }
  await model.save(dir, metadata);
  const llama2c = tok.kind === 'llama2c';
  await saveTokenizer(tok, join(dir, llama2c ? 'tokenizer.bin' : 'tokenizer.json'));
  const ids = { bos_token_id: tok.bosId ?? null, eos_token_id: tok.eosId ?? null, pad_token_id: tok.padId ?? null };
  const cfgPath = join(dir, 'config.json');
  const cfg = JSON.parse(await readFile(cfgPath, 'utf8')) as Record<string, unknown>;
  // RoBERTa's pad_token_id is its position offset − 1 (model.save wrote it); the tokenizer's pad must not move it
  const { pad_token_id: pad, ...rest } = ids;
  await writeFileAtomic(cfgPath, json({ ...cfg, ...(model.config.arch === 'roberta' ? rest : { ...rest, pad_token_id: pad }) }));
  if (model.config.attention === 'causal') {
    await writeFileAtomic(join(dir, 'generation_config.json'), json({ ...ids, do_sample: false, max_length: model.config.contextLength, _from_model_config: true }));
  }
  if (llama2c) return;
  const roles = roleTokens(tok);
  const map = {
    ...(roles.bos ? { bos_token: roles.bos } : {}),
    ...(roles.eos ? { eos_token: roles.eos } : {}),
    ...(roles.pad ? { pad_token: roles.pad } : {}),
    ...(roles.mask ? { mask_token: roles.mask } : {}),
  };
  await writeFileAtomic(join(dir, 'special_tokens_map.json'), json(map));
  await writeFileAtomic(
    join(dir, 'tokenizer_config.json'),
    json({
      tokenizer_class: 'PreTrainedTokenizerFast',
      model_max_length: model.config.contextLength,
      add_prefix_space: false,
      clean_up_tokenization_spaces: false,
      ...map,
    }),
  );
}
