/**
 * Model directories in Hugging Face's layout: `config.json` (HF field names) + `model.safetensors` (HF
 * parameter names; GPT-2 Conv1D weights [in, out], Llama nn.Linear weights [out, in]). xrec writes its format
 * name/version and resolved config into the safetensors metadata and `format: "pt"` so `transformers` loads
 * the files too. Reading accepts HF's own GPT-2 files (names without the `transformer.` prefix, the
 * `attn.bias` mask buffers), ignores `rotary_emb.inv_freq` buffers, and BERT/RoBERTa files' poolers,
 * next-sentence heads, `position_ids` buffers and tied-decoder aliases.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CheckpointError,
  ConfigError,
  float32ToTensor,
  loadSafetensors,
  saveSafetensors,
  tensorToFloat32,
  writeFileAtomic,
  type SafeTensor,
} from '@xrec/core';
import type { TransformerConfig } from './config.js';
import { fromHfConfig, toHfConfig } from './config-hf.js';
import { archSpec } from './arch/index.js';
import { parameterSpecs } from './params.js';

export const CHECKPOINT_FORMAT = 'xrec-transformer';
export const CHECKPOINT_FORMAT_VERSION = 1;

type Weights = Map<string, { readonly shape: readonly number[]; readonly values: Float32Array }>;

/** Row-major transpose of a [rows, cols] matrix. */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = values[r + j]!;
  }
  return out;
}

const SKIP = [/(^|\.)attn\.(masked_)?bias$/, /rotary_emb\.inv_freq$/];

/** Read `config.json` + `model.safetensors` of a directory into a config and compute-layout weights. */
export async function loadCheckpointDir(dir: string): Promise<{ config: TransformerConfig; weights: Weights; metadata: Record<string, string> }> {
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(cfgPath)) throw new CheckpointError(`${dir}: no config.json (expected an xrec or Hugging Face model directory)`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(cfgPath, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new CheckpointError(`${cfgPath}: not valid JSON`, { cause: e });
  }
  const version = json.xrec_format_version;
  if (typeof version === 'number' && version > CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError(`${cfgPath}: xrec_format_version ${version} is newer than this reader (${CHECKPOINT_FORMAT_VERSION})`);
  }
  let config: TransformerConfig;
  try {
    config = fromHfConfig(json, cfgPath);
  } catch (e) {
    if (e instanceof ConfigError) throw new CheckpointError(e.message, { cause: e });
    throw e;
  }
  const stPath = join(dir, 'model.safetensors');
  if (!existsSync(stPath)) {
    if (existsSync(join(dir, 'model.safetensors.index.json'))) {
      throw new CheckpointError(`${dir}: sharded checkpoints (model.safetensors.index.json) are not supported; merge into model.safetensors`);
    }
    throw new CheckpointError(`${dir}: no model.safetensors (PyTorch .bin checkpoints are not read; convert to safetensors)`);
  }
  const file = await loadSafetensors(stPath);
  const specs = new Map(parameterSpecs(config).map((s) => [s.name, s]));
  const weights: Weights = new Map();
  const unknown: string[] = [];
  const arch = archSpec(config.arch);
  const skip = [...SKIP, ...(arch.skipOnLoad ?? [])];
  for (const [rawName, t] of file.tensors) {
    if (skip.some((r) => r.test(rawName))) continue;
    let name = rawName;
    const prefix = arch.prefix;
    if (!specs.has(name) && prefix && specs.has(`${prefix}${name}`)) name = `${prefix}${name}`;
    if (name === `${arch.outputModule}.weight` && config.tieEmbeddings) continue; // tied: the embedding is the output layer
    const spec = specs.get(name);
    if (!spec) {
      unknown.push(rawName);
      continue;
    }
    weights.set(name, toCompute(t, spec.shape, spec.linear?.layout, name, stPath, config));
  }
  if (unknown.length > 0) {
    throw new CheckpointError(`${stPath}: tensors not in a ${config.arch} model with ${config.nLayers} layers: ${unknown.slice(0, 8).join(', ')}${unknown.length > 8 ? ', ...' : ''}`);
  }
  for (const name of specs.keys()) {
    if (!weights.has(name)) throw new CheckpointError(`${stPath}: missing tensor '${name}' (expected by config.json: arch ${config.arch}, ${config.nLayers} layers)`);
  }
  return { config, weights, metadata: file.metadata };
}

/** A NaN or ±Inf weight would load and generate garbage (NUL bytes): refuse it, naming the tensor and index. */
export function checkFinite(values: Float32Array, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new CheckpointError(`${what} holds ${values[i]} at flat index ${i} (a corrupt or diverged checkpoint)`);
  }
}

function toCompute(
  t: SafeTensor,
  computeShape: readonly number[],
  layout: 'conv1d' | 'linear' | undefined,
  name: string,
  where: string,
  c: TransformerConfig,
): { shape: readonly number[]; values: Float32Array } {
  const stored = layout === 'linear' ? [computeShape[1]!, computeShape[0]!] : [...computeShape];
  const ok = t.shape.length === stored.length && t.shape.every((d, i) => d === stored[i]);
  if (!ok) {
    throw new CheckpointError(
      `${where}: tensor '${name}' has shape [${t.shape.join(', ')}] but config.json (vocab_size ${c.vocabSize}, hidden ${c.dModel}, ` +
        `intermediate ${c.dFF}, heads ${c.nHeads}/${c.nKvHeads}, context ${c.contextLength}) implies [${stored.join(', ')}]`,
    );
  }
  const values = tensorToFloat32(t, name);
  checkFinite(values, `${where}: tensor '${name}'`);
  return { shape: computeShape, values: layout === 'linear' ? transpose2d(values, stored[0]!, stored[1]!) : values };
}

/** Write `model.safetensors` (F32, HF names and layouts) and `config.json` into `dir`, each atomically. */
export async function saveCheckpointDir(dir: string, config: TransformerConfig, weights: Weights, extraMetadata: Record<string, string> = {}): Promise<void> {
  const tensors: [string, SafeTensor][] = [];
  for (const spec of parameterSpecs(config)) {
    const w = weights.get(spec.name);
    if (!w) throw new CheckpointError(`save: missing parameter '${spec.name}'`);
    if (spec.linear?.layout === 'linear') {
      const [inF, outF] = spec.shape as [number, number];
      tensors.push([spec.name, float32ToTensor(transpose2d(w.values, inF, outF), [outF, inF])]);
    } else {
      tensors.push([spec.name, float32ToTensor(w.values, spec.shape)]);
    }
  }
  const metadata: Record<string, string> = {
    ...extraMetadata,
    format: 'pt',
    xrec_format: CHECKPOINT_FORMAT,
    xrec_format_version: String(CHECKPOINT_FORMAT_VERSION),
    xrec_config: JSON.stringify(config),
  };
  await saveSafetensors(join(dir, 'model.safetensors'), tensors, metadata);
  const cfg = { ...toHfConfig(config), torch_dtype: 'float32', xrec_format: CHECKPOINT_FORMAT, xrec_format_version: CHECKPOINT_FORMAT_VERSION };
  await writeFileAtomic(join(dir, 'config.json'), `${JSON.stringify(cfg, null, 2)}\n`);
}
