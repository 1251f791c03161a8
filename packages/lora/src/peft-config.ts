/**
 * `adapter_config.json` in peft's format (huggingface/peft `LoraConfig.save_pretrained`): snake_case
 * fields, `peft_type: "LORA"`. xrec writes the fields that every peft release since 0.10 accepts and reads
 * any peft file, refusing the features it does not implement (DoRA, layer replication, PiSSA/OLoRA/LoftQ
 * init, ...) with an error naming the field.
 */
import { CheckpointError, ConfigError } from '@xrec/core';
import { resolveLoraConfig, type LoraConfig } from './config.js';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';

/** What peft stores beyond the LoRA hyper-parameters. */
export interface PeftFileInfo {
  /** `base_model_name_or_path`: where the base model came from (a directory or hub id), or null. */
  readonly baseModelNameOrPath: string | null;
  /** `task_type`, `"CAUSAL_LM"` for xrec's language models. */
  readonly taskType: string | null;
  readonly inferenceMode: boolean;
}

/**
 * The JSON object peft writes for a LoRA adapter. `config.targetModules` should already be concrete
 * (a list or a regex; `'all-linear'` is expanded to layer-name suffixes by injection, as peft does) and
 * `config.fanInFanOut` resolved to a boolean.
 */
export function toPeftConfig(config: LoraConfig, info: Partial<PeftFileInfo> = {}): Record<string, unknown> {
  const tm = config.targetModules;
  const json: Record<string, unknown> = {
    alpha_pattern: { ...config.alphaPattern },
    auto_mapping: null,
    base_model_name_or_path: info.baseModelNameOrPath ?? null,
    bias: config.bias,
    fan_in_fan_out: config.fanInFanOut ?? false,
    inference_mode: info.inferenceMode ?? true,
    init_lora_weights: config.initLoraWeights,
    layer_replication: null,
    layers_pattern: null,
    layers_to_transform: null,
    loftq_config: {},
    lora_alpha: config.loraAlpha,
    lora_dropout: config.loraDropout,
    megatron_config: null,
    megatron_core: 'megatron.core',
    modules_to_save: config.modulesToSave ? [...config.modulesToSave] : null,
    peft_type: 'LORA',
    r: config.r,
    rank_pattern: { ...config.rankPattern },
    revision: null,
    target_modules: tm === null ? null : typeof tm === 'string' ? tm : [...tm].sort(),
    task_type: info.taskType === undefined ? 'CAUSAL_LM' : info.taskType,
    use_dora: false,
    use_rslora: config.useRslora,
  };
  // exclude_modules exists since peft 0.14; write it only when used so older peft versions still load the file.
  if (config.excludeModules !== null) json.exclude_modules = typeof config.excludeModules === 'string' ? config.excludeModules : [...config.excludeModules];
  return json;
}

/** Fields that must hold their "off" value, because xrec does not implement the feature. */
const UNSUPPORTED: Record<string, (v: unknown) => boolean> = {
  use_dora: (v) => v === false || v == null,
  layer_replication: (v) => v == null,
  layers_to_transform: (v) => v == null,
  lora_bias: (v) => v === false || v == null,
  trainable_token_indices: (v) => v == null,
  target_parameters: (v) => v == null || (Array.isArray(v) && v.length === 0),
  use_qalora: (v) => v === false || v == null,
  alora_invocation_tokens: (v) => v == null,
  megatron_config: (v) => v == null,
};

/** Parse peft's `adapter_config.json` object into an xrec {@link LoraConfig}. `where` names the file in errors. */
export function fromPeftConfig(json: unknown, where = ADAPTER_CONFIG_FILE): { config: LoraConfig; info: PeftFileInfo } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CheckpointError(`${where}: expected a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json}`);
  }
  const j = json as Record<string, unknown>;
  if (j.peft_type !== 'LORA') {
    throw new CheckpointError(`${where}: peft_type: expected "LORA", got ${JSON.stringify(j.peft_type)}`);
  }
  for (const [field, ok] of Object.entries(UNSUPPORTED)) {
    if (field in j && !ok(j[field])) {
      throw new ConfigError(`${where}: ${field}: ${JSON.stringify(j[field])} is not supported by @xrec/lora`);
    }
  }
  // peft writes every field; a file without the rank would otherwise fall back to the default r = 8 and
  // surface later as a misleading tensor-shape mismatch.
  if (!('r' in j)) throw new CheckpointError(`${where}: r: missing (the LoRA rank; peft's adapter_config.json always records it)`);
  let init = j.init_lora_weights ?? true;
  if (typeof init === 'string' && init.toLowerCase() === 'gaussian') init = 'gaussian';
  if (typeof init === 'string') {
    // Inits that rewrite the base weights (pissa, olora, corda, loftq) cannot be reproduced from the adapter alone.
    throw new ConfigError(`${where}: init_lora_weights: "${init}" modifies the base weights and is not supported by @xrec/lora`);
  }
  let config: LoraConfig;
  try {
    config = resolveLoraConfig({
      r: j.r as number,
      loraAlpha: (j.lora_alpha ?? 8) as number,
      loraDropout: (j.lora_dropout ?? 0) as number,
      targetModules: (j.target_modules ?? null) as string[] | string | null,
      excludeModules: (Array.isArray(j.exclude_modules) && j.exclude_modules.length === 0 ? null : (j.exclude_modules ?? null)) as string[] | string | null,
      bias: (j.bias ?? 'none') as LoraConfig['bias'],
      fanInFanOut: (j.fan_in_fan_out ?? false) as boolean,
      initLoraWeights: init as LoraConfig['initLoraWeights'],
      useRslora: (j.use_rslora ?? false) as boolean,
      modulesToSave: (j.modules_to_save ?? null) as string[] | null,
      rankPattern: (j.rank_pattern ?? {}) as Record<string, number>,
      alphaPattern: (j.alpha_pattern ?? {}) as Record<string, number>,
    });
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${where}: ${e.message}`, { cause: e });
    throw e;
  }
  return {
    config,
    info: {
      baseModelNameOrPath: typeof j.base_model_name_or_path === 'string' ? j.base_model_name_or_path : null,
      taskType: typeof j.task_type === 'string' ? j.task_type : null,
      inferenceMode: j.inference_mode !== false,
    },
  };
}
