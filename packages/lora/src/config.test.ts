import { describe, expect, it } from 'vitest';
import { ConfigError } from '@xrec/core';
import { DEFAULT_LORA_CONFIG, loraScaling, patternValue, resolveLoraConfig } from './config.js';
import { fromPeftConfig, toPeftConfig } from './peft-config.js';

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    return e as ConfigError;
  }
  throw new Error('expected an error');
}

describe('resolveLoraConfig', () => {
  it('fills peft defaults', () => {
    const c = resolveLoraConfig({});
    expect(c).toEqual(DEFAULT_LORA_CONFIG);
    expect(c.r).toBe(8);
    expect(c.loraAlpha).toBe(8);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each([
    [{ r: 0 }, 'LoraConfig.r'],
    [{ r: 2.5 }, 'LoraConfig.r'],
    [{ loraAlpha: -1 }, 'LoraConfig.loraAlpha'],
    [{ loraAlpha: Number.NaN }, 'LoraConfig.loraAlpha'],
    [{ loraDropout: 1 }, 'LoraConfig.loraDropout'],
    [{ loraDropout: -0.1 }, 'LoraConfig.loraDropout'],
    [{ bias: 'some' }, 'LoraConfig.bias'],
    [{ targetModules: [] }, 'LoraConfig.targetModules'],
    [{ targetModules: ['q_proj', ''] }, 'LoraConfig.targetModules[1]'],
    [{ targetModules: '(' }, 'LoraConfig.targetModules'],
    [{ targetModules: /q_proj/i }, 'LoraConfig.targetModules'],
    [{ targetModules: 3 }, 'LoraConfig.targetModules'],
    [{ initLoraWeights: 'pissa' }, 'LoraConfig.initLoraWeights'],
    [{ useRslora: 'yes' }, 'LoraConfig.useRslora'],
    [{ fanInFanOut: 1 }, 'LoraConfig.fanInFanOut'],
    [{ modulesToSave: 'lm_head' }, 'LoraConfig.modulesToSave'],
    [{ rankPattern: { q_proj: 0 } }, "LoraConfig.rankPattern['q_proj']"],
    [{ lora_alpha: 16 }, "LoraConfig: unknown field 'lora_alpha' (did you mean 'loraAlpha'?)"],
  ])('rejects %j naming the field', (input, field) => {
    const e = errorOf(() => resolveLoraConfig(input as never));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.code).toBe('XREC_CONFIG');
    expect(e.message.startsWith(field)).toBe(true);
  });

  it('accepts a RegExp target as its source (peft fullmatch semantics)', () => {
    expect(resolveLoraConfig({ targetModules: /.*\.(q|v)_proj/ }).targetModules).toBe('.*\\.(q|v)_proj');
    expect(resolveLoraConfig({ targetModules: 'all-linear' }).targetModules).toBe('all-linear');
  });

  it('scales by alpha/r, or alpha/sqrt(r) with rsLoRA', () => {
    expect(loraScaling(16, 8, false)).toBe(2);
    expect(loraScaling(16, 16, true)).toBe(4);
  });

  it('finds per-layer rank overrides like peft', () => {
    expect(patternValue({ q_proj: 4 }, 'model.layers.0.self_attn.q_proj')).toBe(4);
    expect(patternValue({ q_proj: 4 }, 'model.layers.0.self_attn.qq_proj')).toBeUndefined();
    expect(patternValue({ '^model.layers.1.*': 2 }, 'model.layers.0.self_attn.q_proj')).toBeUndefined();
  });
});

describe('peft adapter_config.json', () => {
  it('writes peft field names and reads them back', () => {
    const c = resolveLoraConfig({ r: 4, loraAlpha: 16, loraDropout: 0.05, targetModules: ['c_attn'], fanInFanOut: true, useRslora: true, modulesToSave: ['lm_head'] });
    const j = toPeftConfig(c, { baseModelNameOrPath: 'gpt2' });
    expect(j).toMatchObject({
      peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 4, lora_alpha: 16, lora_dropout: 0.05, target_modules: ['c_attn'],
      fan_in_fan_out: true, bias: 'none', use_rslora: true, modules_to_save: ['lm_head'], init_lora_weights: true,
      base_model_name_or_path: 'gpt2', inference_mode: true, use_dora: false, rank_pattern: {}, alpha_pattern: {},
    });
    const back = fromPeftConfig(JSON.parse(JSON.stringify(j)));
    expect(back.config).toEqual(c);
    expect(back.info.baseModelNameOrPath).toBe('gpt2');
  });

  it('reads a file written by peft 0.14 (documented layout)', () => {
    const peftFile = {
      alpha_pattern: {}, auto_mapping: null, base_model_name_or_path: 'meta-llama/Llama-2-7b-hf', bias: 'none', corda_config: null,
      eva_config: null, exclude_modules: null, fan_in_fan_out: false, inference_mode: true, init_lora_weights: true,
      layer_replication: null, layers_pattern: null, layers_to_transform: null, loftq_config: {}, lora_alpha: 16, lora_bias: false,
      lora_dropout: 0.0, megatron_config: null, megatron_core: 'megatron.core', modules_to_save: null, peft_type: 'LORA', r: 8,
      rank_pattern: {}, revision: null, target_modules: ['v_proj', 'q_proj'], task_type: 'CAUSAL_LM', trainable_token_indices: null,
      use_dora: false, use_rslora: false,
    };
    const { config } = fromPeftConfig(peftFile);
    expect(config.r).toBe(8);
    expect(config.loraAlpha).toBe(16);
    expect(config.targetModules).toEqual(['v_proj', 'q_proj']);
  });

  it('refuses features it does not implement, naming the field', () => {
    const base = { peft_type: 'LORA', r: 8, lora_alpha: 8, target_modules: ['q_proj'] };
    expect(() => fromPeftConfig({ ...base, use_dora: true })).toThrow(/use_dora/);
    expect(() => fromPeftConfig({ ...base, init_lora_weights: 'pissa' })).toThrow(/init_lora_weights/);
    expect(() => fromPeftConfig({ ...base, layers_to_transform: [0] })).toThrow(/layers_to_transform/);
    expect(() => fromPeftConfig({ ...base, peft_type: 'IA3' })).toThrow(/peft_type/);
    expect(() => fromPeftConfig({ ...base, r: -2 })).toThrow(/LoraConfig\.r/);
  });
});
