/**
 * T5 model directories in Hugging Face's layout (config.json + model.safetensors, T5ForConditionalGeneration
 * names, nn.Linear weights [out, in]). Reading skips the `encoder.embed_tokens` / `decoder.embed_tokens`
 * aliases of `shared.weight` and a tied `lm_head.weight`, so a local `t5-small` loads as is.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError, ConfigError, float32ToTensor, loadSafetensors, saveSafetensors, tensorToFloat32, writeFileAtomic, type SafeTensor } from '@xrec/core';
import { checkFinite, transpose2d } from '../checkpoint.js';
import { t5FromHf, t5ToHf, type T5Config } from './config.js';
import { T5Model, type T5Weights } from './model.js';
import { t5ParameterSpecs } from './params.js';

const ALIASES = /^(encoder|decoder)\.embed_tokens\.weight$/;

/** Read a T5 directory into a model. */
export async function loadT5(dir: string): Promise<T5Model> {
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(cfgPath)) throw new CheckpointError(`${dir}: no config.json (expected a T5 model directory)`);
  let config: T5Config;
  try {
    config = t5FromHf(JSON.parse(await readFile(cfgPath, 'utf8')) as Record<string, unknown>, cfgPath);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof SyntaxError) throw new CheckpointError(`${cfgPath}: ${(e as Error).message}`, { cause: e });
    throw e;
  }
  const stPath = join(dir, 'model.safetensors');
  if (!existsSync(stPath)) throw new CheckpointError(`${dir}: no model.safetensors (PyTorch .bin checkpoints are not read; convert to safetensors)`);
  const file = await loadSafetensors(stPath);
  const specs = new Map(t5ParameterSpecs(config).map((s) => [s.name, s]));
  const weights: T5Weights = new Map();
  const unknown: string[] = [];
  for (const [name, t] of file.tensors) {
    if (ALIASES.test(name) || (name === 'lm_head.weight' && config.tieEmbeddings)) continue;
    const s = specs.get(name);
    if (!s) {
      unknown.push(name);
      continue;
    }
    const stored = s.linear ? [s.shape[1]!, s.shape[0]!] : [...s.shape];
    if (t.shape.length !== stored.length || t.shape.some((x, i) => x !== stored[i])) {
      throw new CheckpointError(`${stPath}: tensor '${name}' has shape [${t.shape.join(', ')}] but config.json implies [${stored.join(', ')}]`);
    }
    const values = tensorToFloat32(t, name);
    checkFinite(values, `${stPath}: tensor '${name}'`);
    weights.set(name, { shape: s.shape, values: s.linear ? transpose2d(values, stored[0]!, stored[1]!) : values });
  }
  if (unknown.length) throw new CheckpointError(`${stPath}: tensors not in a T5 model of this config: ${unknown.slice(0, 8).join(', ')}${unknown.length > 8 ? ', ...' : ''}`);
  return T5Model.fromWeights(config, weights, stPath);
}

/** Write `model.safetensors` (HF names and layouts) and `config.json` into `dir`, each atomically. */
export async function saveT5(model: T5Model, dir: string, metadata: Record<string, string> = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  const params = model.parameters();
  const tensors: [string, SafeTensor][] = [];
  for (const s of t5ParameterSpecs(model.config)) {
    const v = params.get(s.name)!.dataSync() as Float32Array;
    tensors.push([s.name, s.linear ? float32ToTensor(transpose2d(v, s.shape[0]!, s.shape[1]!), [s.shape[1]!, s.shape[0]!]) : float32ToTensor(v, s.shape)]);
  }
  await saveSafetensors(join(dir, 'model.safetensors'), tensors, { ...metadata, format: 'pt', xrec_format: 'xrec-t5', xrec_config: JSON.stringify(model.config) });
  await writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify({ ...t5ToHf(model.config), torch_dtype: 'float32' }, null, 2)}\n`);
}
