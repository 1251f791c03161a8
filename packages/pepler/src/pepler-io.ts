/**
 * PEPLER's saved-model folder: `lm/` (the language model, Hugging Face layout), `prompts.safetensors` (user
 * and item prompts, the rating head), `pepler.json` (format, config, entity ids, features, rating range) and
 * the tokenizer file.
 */
import * as tf from '@tensorflow/tfjs';
import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { checkFormat, CheckpointError, float32ToTensor, loadSafetensors, Rng, saveSafetensors, tensorToFloat32, writeFileAtomic } from '@xrec/core';
import { EntityPromptTable } from '@xrec/prompts';
import type { TextCodec } from '@xrec/tokenizer';
import { resolvePeplerConfig, type PeplerConfig } from './config.js';
import { EntityIndex } from './entity-index.js';
import { FeatureProfiles } from './feature-prompt.js';
import { MfHead, MlpHead, type RatingHead } from './rating-head.js';
import { PEPLER_FORMAT, PEPLER_FORMAT_VERSION, promptKinds, type PeplerLM, type PeplerState } from './types.js';

/** Readers of the LM and tokenizer (from `@xrec/transformer` and `@xrec/tokenizer`); `tokenizer` overrides the saved file. */
export interface PeplerLoaders {
  loadLM(dir: string): Promise<PeplerLM>;
  loadTokenizer?: (path: string) => Promise<TextCodec> | TextCodec;
  tokenizer?: TextCodec;
}

/** What a saved model holds. */
export interface PeplerSaveParts {
  readonly lm: PeplerLM;
  readonly variant: PeplerConfig['variant'];
  readonly config: PeplerConfig;
  readonly tokenizerFile?: string;
  /** Prompt and rating-head variables by name. */
  readonly tensors: ReadonlyMap<string, tf.Variable>;
  readonly ratingRange: { readonly min: number; readonly max: number };
  readonly users: EntityIndex;
  readonly items: EntityIndex;
  readonly features: FeatureProfiles;
}

export async function savePepler(dir: string, p: PeplerSaveParts): Promise<void> {
  await mkdir(join(dir, 'lm'), { recursive: true });
  await p.lm.save(join(dir, 'lm'), { pepler_variant: p.variant });
  let tokenizerName: string | undefined;
  if (p.tokenizerFile) {
    tokenizerName = `tokenizer${extname(p.tokenizerFile) || '.json'}`;
    await copyFile(p.tokenizerFile, join(dir, tokenizerName));
  }
  const tensors = new Map<string, ReturnType<typeof float32ToTensor>>();
  const named = p.tensors;
  for (const [name, v] of named) tensors.set(name, float32ToTensor(v.dataSync() as Float32Array, v.shape));
  await saveSafetensors(join(dir, 'prompts.safetensors'), tensors, { format: PEPLER_FORMAT });
  const meta = {
    format: PEPLER_FORMAT,
    format_version: PEPLER_FORMAT_VERSION,
    config: p.config,
    tokenizer: tokenizerName ?? null,
    rating_range: p.ratingRange,
    users: p.users.toArray(),
    items: p.items.toArray(),
    features: p.features.toJSON(),
  };
  await writeFileAtomic(join(dir, 'pepler.json'), JSON.stringify(meta));
}

/** Read a saved model into the state a Pepler is built from. */
export async function readPepler(dir: string, loaders: PeplerLoaders): Promise<PeplerState> {
  const metaPath = join(dir, 'pepler.json');
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(await readFile(metaPath, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new CheckpointError(`${metaPath}: cannot read PEPLER metadata (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  checkFormat(metaPath, meta, { format: PEPLER_FORMAT, maxVersion: PEPLER_FORMAT_VERSION }, (m) => new CheckpointError(m));
  const config = resolvePeplerConfig(meta.config as Partial<PeplerConfig>);
  let tokenizer = loaders.tokenizer;
  if (!tokenizer) {
    const name = meta.tokenizer;
    if (typeof name !== 'string' || !loaders.loadTokenizer) {
      const files = await readdir(dir);
      throw new CheckpointError(`${dir}: no tokenizer saved with the model and none given (files: ${files.join(', ')})`);
    }
    tokenizer = await loaders.loadTokenizer(join(dir, name));
  }
  const lm = await loaders.loadLM(join(dir, 'lm'));
  const file = await loadSafetensors(join(dir, 'prompts.safetensors'));
  const get = (name: string): tf.Tensor => {
    const t = file.tensors.get(name);
    if (!t) throw new CheckpointError(`${dir}/prompts.safetensors: missing tensor '${name}'`);
    return tf.tensor(tensorToFloat32(t, name), [...t.shape]);
  };
  const d = lm.config.dModel;
  let head: RatingHead | undefined;
  const users = new EntityIndex('user', meta.users as string[]);
  const items = new EntityIndex('item', meta.items as string[]);
  let prompts: EntityPromptTable | undefined;
  if (config.variant !== 'discrete') {
    const values = new Map<string, { shape: readonly number[]; values: Float32Array }>();
    for (const name of ['user_embeddings.weight', 'item_embeddings.weight']) {
      const t = file.tensors.get(name);
      if (t) values.set(name, { shape: t.shape, values: tensorToFloat32(t, name) });
    }
    prompts = EntityPromptTable.fromValues(promptKinds(users, items), d, values, `${dir}/prompts.safetensors`);
  }
  if (config.variant === 'mf') head = new MfHead();
  if (config.variant === 'mlp') {
    const values = new Map<string, tf.Tensor>();
    for (const name of file.tensors.keys()) if (name.startsWith('rec.')) values.set(name.slice(4), get(name));
    head = new MlpHead(d, config.mlpHidden, config.mlpLayers, new Rng(0), config.initRange, values);
    for (const t of values.values()) t.dispose();
  }
  const rr = meta.rating_range as { min: number; max: number };
  return {
    config,
    lm,
    tokenizer,
    users,
    items,
    features: FeatureProfiles.fromJSON(meta.features as Parameters<typeof FeatureProfiles.fromJSON>[0]),
    ratingRange: rr,
    ...(prompts ? { prompts } : {}),
    ...(head ? { head } : {}),
  };
}
