/**
 * LoRA configuration in peft's terms (Hu et al. 2022, "LoRA: Low-Rank Adaptation of Large Language Models";
 * rsLoRA scaling from Kalajdzievski 2023). Field names are peft's `LoraConfig` fields in camelCase; the
 * adapter file (`adapter_config.json`) uses peft's snake_case names, see {@link toPeftConfig}.
 *
 *   h = W0·x + s · B·A·dropout(x),   s = loraAlpha / r   (useRslora: s = loraAlpha / √r)
 *
 * A: [r, in] (peft layout), B: [out, r]; B starts at 0 so a fresh adapter changes nothing.
 */
import { ConfigError, resolveConfig, type ConfigSpec } from '@xrec/core';

export type LoraBias = 'none' | 'all' | 'lora_only';

/**
 * Which linear layers get an adapter, with peft's semantics:
 * - a list of names: a layer matches when its full name equals an entry or ends with `.` + entry;
 * - a RegExp, or any other string: the name must match the whole expression (Python's `re.fullmatch`);
 * - `'all-linear'`: every linear layer except the output head (`lm_head`).
 */
export type TargetModules = readonly string[] | RegExp | string;

/** How adapter weights start. `true`: A Kaiming-uniform (as nn.Linear), B = 0. `'gaussian'`: A ~ N(0, 1/r²), B = 0.
 *  `false`: A and B both random (nn.Linear's default init) — the adapter changes outputs from the start (for tests). */
export type InitLoraWeights = boolean | 'gaussian';

export interface LoraConfig {
  /** Rank of the update B·A (peft `r`). */
  readonly r: number;
  /** Scale numerator (peft `lora_alpha`). */
  readonly loraAlpha: number;
  /** Dropout on the adapter's input during training, in [0, 1) (peft `lora_dropout`). */
  readonly loraDropout: number;
  /** Layers to adapt; `null` = peft's default for the architecture (GPT-2: `c_attn`; Llama: `q_proj`, `v_proj`; BERT/RoBERTa: `query`, `value`). */
  readonly targetModules: readonly string[] | string | null;
  /** Layers never to adapt (same matching rules as `targetModules`; peft `exclude_modules`). */
  readonly excludeModules: readonly string[] | string | null;
  /** Which biases train: none, every bias of the model, or the biases of adapted layers (peft `bias`). */
  readonly bias: LoraBias;
  /** True when the stored base weight is [in, out] (GPT-2 Conv1D). `null` = read it from the model's layers. */
  readonly fanInFanOut: boolean | null;
  readonly initLoraWeights: InitLoraWeights;
  /** Scale by alpha/√r instead of alpha/r (Kalajdzievski 2023). */
  readonly useRslora: boolean;
  /** Non-adapted modules (e.g. `lm_head`) that train fully and are saved with the adapter (peft `modules_to_save`). */
  readonly modulesToSave: readonly string[] | null;
  /** Per-layer rank overrides: pattern -> r; a pattern matches a layer name ending with it (peft `rank_pattern`). */
  readonly rankPattern: Readonly<Record<string, number>>;
  /** Per-layer alpha overrides (peft `alpha_pattern`). */
  readonly alphaPattern: Readonly<Record<string, number>>;
}

/** The input form: any subset of the fields; `targetModules` may also be a RegExp. */
export type LoraConfigInput = Partial<Omit<LoraConfig, 'targetModules'>> & { readonly targetModules?: TargetModules | null };

/** peft's defaults (r 8, alpha 8, no dropout, bias none, B = 0 init). */
export const DEFAULT_LORA_CONFIG: LoraConfig = Object.freeze({
  r: 8,
  loraAlpha: 8,
  loraDropout: 0,
  targetModules: null,
  excludeModules: null,
  bias: 'none',
  fanInFanOut: null,
  initLoraWeights: true,
  useRslora: false,
  modulesToSave: null,
  rankPattern: Object.freeze({}),
  alphaPattern: Object.freeze({}),
});

function fail(field: string, msg: string): never {
  throw new ConfigError(`LoraConfig.${field}: ${msg}`);
}

function show(v: unknown): string {
  if (v instanceof RegExp) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function checkPattern(field: string, v: unknown): readonly string[] | string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof RegExp) {
    if (v.flags.replace('u', '') !== '') fail(field, `regular expression flags are not supported (peft matches with Python's re.fullmatch), got ${String(v)}`);
    return v.source;
  }
  if (typeof v === 'string') {
    if (v === '') fail(field, 'expected a list of module names, a regular expression or "all-linear", got an empty string');
    if (v !== 'all-linear') {
      try {
        new RegExp(`^(?:${v})$`);
      } catch (e) {
        fail(field, `not a valid regular expression: ${show(v)} (${e instanceof Error ? e.message : String(e)})`);
      }
    }
    return v;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) fail(field, 'expected at least one module name, got an empty list');
    v.forEach((s, i) => {
      if (typeof s !== 'string' || s === '') fail(`${field}[${i}]`, `expected a non-empty module name, got ${show(s)}`);
    });
    return Object.freeze([...new Set(v as string[])]);
  }
  return fail(field, `expected a list of module names, a RegExp or "all-linear", got ${show(v)}`);
}

function checkPatternMap(field: string, v: unknown, integer: boolean): Readonly<Record<string, number>> {
  if (v === undefined || v === null) return Object.freeze({});
  if (typeof v !== 'object' || Array.isArray(v)) fail(field, `expected an object of pattern -> number, got ${show(v)}`);
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(v as Record<string, unknown>)) {
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      fail(`${field}['${k}']`, `expected a positive ${integer ? 'integer' : 'number'}, got ${show(n)}`);
    }
    out[k] = n;
  }
  return Object.freeze(out);
}

/** A check that reports through `fail` (sub-field names such as `targetModules[1]`) and never returns a problem. */
const via = (fn: (v: unknown) => unknown) => (v: unknown): undefined => {
  fn(v);
  return undefined;
};

const SPEC: ConfigSpec<LoraConfig> = {
  r: { check: (v) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? undefined : 'expected a positive integer'), default: DEFAULT_LORA_CONFIG.r },
  loraAlpha: { check: (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'expected a positive number'), default: DEFAULT_LORA_CONFIG.loraAlpha },
  loraDropout: { check: (v) => (typeof v === 'number' && v >= 0 && v < 1 ? undefined : 'expected a number in [0, 1)'), default: DEFAULT_LORA_CONFIG.loraDropout },
  targetModules: { check: via((v) => checkPattern('targetModules', v)), normalize: (v) => checkPattern('targetModules', v), default: null },
  excludeModules: {
    check: via((v) => {
      if (checkPattern('excludeModules', v) === 'all-linear') fail('excludeModules', '"all-linear" is only meaningful for targetModules');
    }),
    normalize: (v) => checkPattern('excludeModules', v),
    default: null,
  },
  bias: { check: (v) => (v === 'none' || v === 'all' || v === 'lora_only' ? undefined : 'expected "none", "all" or "lora_only"'), default: 'none' },
  fanInFanOut: { check: (v) => (v === null || typeof v === 'boolean' ? undefined : 'expected true, false or null (read from the model)'), default: null },
  initLoraWeights: {
    check: (v) => (v === true || v === false || v === 'gaussian' ? undefined : 'expected true, false or "gaussian" (pissa, olora, loftq, eva and corda are not supported)'),
    default: true,
  },
  useRslora: { check: (v) => (typeof v === 'boolean' ? undefined : 'expected a boolean'), default: false },
  modulesToSave: {
    check: via((v) => {
      if (v === null) return;
      if (!Array.isArray(v)) fail('modulesToSave', `expected a list of module names or null, got ${show(v)}`);
      (v as unknown[]).forEach((x, i) => {
        if (typeof x !== 'string' || x === '') fail(`modulesToSave[${i}]`, `expected a non-empty module name, got ${show(x)}`);
      });
    }),
    normalize: (v) => (v === null ? null : Object.freeze([...new Set(v as string[])])),
    default: null,
  },
  rankPattern: { check: via((v) => checkPatternMap('rankPattern', v, true)), normalize: (v) => checkPatternMap('rankPattern', v, true), default: DEFAULT_LORA_CONFIG.rankPattern },
  alphaPattern: { check: via((v) => checkPatternMap('alphaPattern', v, false)), normalize: (v) => checkPatternMap('alphaPattern', v, false), default: DEFAULT_LORA_CONFIG.alphaPattern },
};

/** Fill defaults and validate every field once with the core resolver; errors name the field (`LoraConfig.r: ...`). */
export function resolveLoraConfig(partial: LoraConfigInput = {}): LoraConfig {
  return resolveConfig('LoraConfig', SPEC, partial);
}

/** peft's pattern lookup for rank/alpha overrides: the first key whose `(.*\.)?key$` matches the layer name. */
export function patternValue(patterns: Readonly<Record<string, number>>, layerName: string): number | undefined {
  for (const [k, v] of Object.entries(patterns)) {
    let re: RegExp;
    try {
      re = new RegExp(`(^|.*\\.)(?:${k})$`);
    } catch {
      continue;
    }
    if (re.test(layerName)) return v;
  }
  return undefined;
}

/** Scale s of one layer: alpha/r, or alpha/√r with rsLoRA. */
export function loraScaling(alpha: number, r: number, useRslora: boolean): number {
  return useRslora ? alpha / Math.sqrt(r) : alpha / r;
}
