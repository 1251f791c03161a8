/**
 * Adapter files in peft's format: a directory with `adapter_config.json` and `adapter_model.safetensors`.
 *
 * Tensor keys and layouts (peft `get_peft_model_state_dict`, adapter name removed):
 *   base_model.model.<layer>.lora_A.weight   [r, in]    (= xrec A [in, r] transposed)
 *   base_model.model.<layer>.lora_B.weight   [out, r]   (= xrec B [r, out] transposed)
 *   base_model.model.<param>                 modulesToSave parameters and trained biases, HF layout
 * lora_A/lora_B are nn.Linear weights, so their layout does not depend on fan_in_fan_out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  CheckpointError,
  ConfigError,
  float32ToTensor,
  loadSafetensors,
  NotFoundError,
  serializeSafetensors,
  tensorToFloat32,
  writeFileAtomic,
  type SafeTensor,
} from '@xrec/core';
import type { LoraHost } from './model-view.js';
import { getLoraModel, injectLora, type LoraModel } from './lora-model.js';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, fromPeftConfig, toPeftConfig, type PeftFileInfo } from './peft-config.js';

export const PEFT_PREFIX = 'base_model.model.';

export interface SaveAdapterOptions {
  /** Which adapter (default: the active one). */
  readonly adapterName?: string;
  /** Written as `base_model_name_or_path`. */
  readonly baseModelNameOrPath?: string;
}

/** 2-D transpose of row-major values: [rows, cols] -> [cols, rows]. */
function transpose(v: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = v[i * cols + j]!;
  return out;
}

/** Parameters stored transposed in HF files: weights of `nn.Linear` layers (xrec keeps [in, out]). */
function linearParamLayouts(model: LoraHost): Map<string, { rows: number; cols: number }> {
  const m = new Map<string, { rows: number; cols: number }>();
  for (const l of model.linearLayers()) if (l.hfLayout === 'linear') m.set(`${l.name}.weight`, { rows: l.inFeatures, cols: l.outFeatures });
  return m;
}

/** The tensors of one adapter, keyed with peft's names, in peft's layouts (F32). */
export function adapterStateDict<M extends LoraHost>(lm: LoraModel<M>, adapterName: string = lm.activeAdapter): Map<string, SafeTensor> {
  const info = lm.adapter(adapterName);
  const out = new Map<string, SafeTensor>();
  for (const ln of info.layers) {
    const w = lm.loraLayers().get(ln)?.adapters.get(adapterName);
    if (!w) throw new CheckpointError(`saveAdapter: layer '${ln}' lost adapter '${adapterName}'`);
    const [inF, r] = w.a.shape as [number, number];
    const outF = w.b.shape[1]!;
    out.set(`${PEFT_PREFIX}${ln}.lora_A.weight`, float32ToTensor(transpose(w.a.dataSync() as Float32Array, inF, r), [r, inF]));
    out.set(`${PEFT_PREFIX}${ln}.lora_B.weight`, float32ToTensor(transpose(w.b.dataSync() as Float32Array, r, outF), [outF, r]));
  }
  const extra = [...info.savedParams, ...info.biasParams];
  if (extra.length > 0) {
    const params = lm.model.parameters();
    const layouts = linearParamLayouts(lm.model);
    // modulesToSave values of an inactive adapter live in its copy, not in the variable.
    const values = lm.savedParamValues(adapterName);
    for (const p of extra) {
      const v = values.get(p) ?? params.get(p)!;
      const data = v.dataSync() as Float32Array;
      const lay = layouts.get(p);
      out.set(`${PEFT_PREFIX}${p}`, lay ? float32ToTensor(transpose(data, lay.rows, lay.cols), [lay.cols, lay.rows]) : float32ToTensor(data, v.shape));
    }
  }
  return out;
}

/**
 * Write `dir/adapter_config.json` + `dir/adapter_model.safetensors` (peft's `save_pretrained`). Each file is
 * written atomically (weights first, config last); other files in `dir` are left alone.
 */
export async function saveAdapter<M extends LoraHost>(lm: LoraModel<M>, dir: string, options: SaveAdapterOptions = {}): Promise<void> {
  const name = options.adapterName ?? lm.activeAdapter;
  const info = lm.adapter(name);
  const tensors = adapterStateDict(lm, name);
  const json = toPeftConfig(info.config, { baseModelNameOrPath: options.baseModelNameOrPath ?? null });
  await writeFileAtomic(join(dir, ADAPTER_WEIGHTS_FILE), serializeSafetensors(tensors, { format: 'pt' }));
  await writeFileAtomic(join(dir, ADAPTER_CONFIG_FILE), `${JSON.stringify(json, null, 2)}\n`);
}

/** Read and validate `dir/adapter_config.json`. */
export function readAdapterConfig(dir: string): ReturnType<typeof fromPeftConfig> {
  const path = join(dir, ADAPTER_CONFIG_FILE);
  if (!existsSync(path)) throw new NotFoundError(`loadAdapter: ${path} does not exist (expected a peft adapter directory)`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`${path}: not valid JSON`, { cause: e });
  }
  return fromPeftConfig(json, path);
}

export interface LoadAdapterOptions {
  /** Name for the loaded adapter, default `'default'`. */
  readonly adapterName?: string;
  /** Keep the loaded adapter trainable (peft `is_trainable`); default false: it is injected but frozen. */
  readonly isTrainable?: boolean;
}

/**
 * Load a peft adapter directory into `model` (peft's `PeftModel.from_pretrained` / `load_adapter`). The first
 * adapter loaded into a model becomes active; later ones are added under their own names. Every tensor the
 * adapter needs must be in the file with the expected shape, and every tensor in the file must be used.
 */
export async function loadAdapter<M extends LoraHost>(
  model: M,
  dir: string,
  options: LoadAdapterOptions = {},
): Promise<LoraModel<M> & { readonly loadedInfo: PeftFileInfo }> {
  const { config, info } = readAdapterConfig(dir);
  const wpath = join(dir, ADAPTER_WEIGHTS_FILE);
  if (!existsSync(wpath)) {
    const bin = join(dir, 'adapter_model.bin');
    throw new NotFoundError(
      existsSync(bin)
        ? `loadAdapter: ${dir} has only adapter_model.bin (a pickle); re-save it with peft's safe_serialization=True to get ${ADAPTER_WEIGHTS_FILE}`
        : `loadAdapter: ${wpath} does not exist`,
    );
  }
  const file = await loadSafetensors(wpath);
  const name = options.adapterName ?? 'default';
  const existed = getLoraModel(model) !== undefined;
  let lm: LoraModel<M>;
  try {
    // fan_in_fan_out only says how peft transposes the delta for the base layer's storage; xrec's compute layout
    // is always [in, out], so the layers' own layout decides (peft also corrects a wrong value, with a warning).
    lm = injectLora(model, { ...config, fanInFanOut: null }, { adapterName: name, seed: 0 });
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`loadAdapter(${dir}): ${e.message}`, { cause: e });
    throw e;
  }
  try {
    assignFromFile(lm, name, file.tensors, wpath);
  } catch (e) {
    if (existed) lm.deleteAdapter(name);
    else lm.unload();
    throw e;
  }
  if (!options.isTrainable) lm.freezeAdapter(name);
  return Object.assign(lm, { loadedInfo: info });
}

function stripAdapterName(key: string, name: string): string {
  // Some writers keep the adapter name (`lora_A.default.weight`); peft's loader accepts both.
  return key.replace(`.lora_A.${name}.weight`, '.lora_A.weight').replace(`.lora_B.${name}.weight`, '.lora_B.weight');
}

function assignFromFile<M extends LoraHost>(lm: LoraModel<M>, name: string, tensors: Map<string, SafeTensor>, where: string): void {
  const info = lm.adapter(name);
  const byKey = new Map<string, [string, SafeTensor]>();
  for (const [k, t] of tensors) {
    const key = stripAdapterName(k.startsWith(PEFT_PREFIX) ? k.slice(PEFT_PREFIX.length) : k, name);
    byKey.set(key, [k, t]);
  }
  const used = new Set<string>();
  const take = (key: string, shape: readonly number[]): Float32Array => {
    const hit = byKey.get(key);
    if (!hit) throw new CheckpointError(`${where}: missing tensor '${PEFT_PREFIX}${key}' (shape [${shape.join(', ')}])`);
    const [orig, t] = hit;
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new CheckpointError(`${where}: tensor '${orig}' has shape [${t.shape.join(', ')}], the model needs [${shape.join(', ')}]`);
    }
    used.add(key);
    const v = tensorToFloat32(t, orig);
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i]!)) throw new CheckpointError(`${where}: tensor '${orig}' holds a non-finite value at flat index ${i}`);
    }
    return v;
  };
  for (const ln of info.layers) {
    const w = lm.loraLayers().get(ln)!.adapters.get(name)!;
    const [inF, r] = w.a.shape as [number, number];
    const outF = w.b.shape[1]!;
    const a = take(`${ln}.lora_A.weight`, [r, inF]); // peft [r, in]
    const b = take(`${ln}.lora_B.weight`, [outF, r]); // peft [out, r]
    w.a.assign(tf.tensor2d(transpose(a, r, inF), [inF, r]));
    w.b.assign(tf.tensor2d(transpose(b, outF, r), [r, outF]));
  }
  const extra = [...info.savedParams, ...info.biasParams];
  if (extra.length > 0) {
    const params = lm.model.parameters();
    const layouts = linearParamLayouts(lm.model);
    const values = new Map<string, tf.Tensor>();
    for (const p of extra) {
      const v = params.get(p)!;
      const lay = layouts.get(p);
      const data = lay ? transpose(take(p, [lay.cols, lay.rows]), lay.cols, lay.rows) : take(p, v.shape);
      values.set(p, tf.tensor(data, v.shape));
    }
    lm.setSavedParamValues(name, values);
  }
  const unused = [...byKey.keys()].filter((k) => !used.has(k));
  if (unused.length > 0) {
    throw new CheckpointError(
      `${where}: ${unused.length} tensor(s) do not belong to this adapter on this model, e.g. '${byKey.get(unused[0]!)![0]}' (targets: ${JSON.stringify(info.config.targetModules)})`,
    );
  }
}
