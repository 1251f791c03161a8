/** LoRA's public option and report types, and the bookkeeping of parameters saved per adapter. */
import type * as tf from '@tensorflow/tfjs';
import type { LoraConfig } from './config.js';

export interface InjectOptions {
  /** Name of the new adapter (peft's `adapter_name`), default `'default'`. */
  readonly adapterName?: string;
  /** Seed for A's initialisation and dropout masks, default 0. */
  readonly seed?: number;
}

/** One adapter as injected: its resolved config (concrete targets, resolved fanInFanOut) and where it lives. */
export interface AdapterInfo {
  readonly name: string;
  readonly config: LoraConfig;
  /** Names of the adapted linear layers. */
  readonly layers: readonly string[];
  /** Parameter names trained in full and saved with the adapter (modulesToSave). */
  readonly savedParams: readonly string[];
  /** Base bias parameter names that train with this adapter (bias 'all' / 'lora_only'). */
  readonly biasParams: readonly string[];
}

/** Counts in peft's `get_nb_trainable_parameters` sense. */
export interface ParameterReport {
  readonly trainable: number;
  readonly total: number;
  /** 100 · trainable / total. */
  readonly percent: number;
}

export interface SavedParam {
  /** The base model's own values. */
  readonly original: tf.Tensor;
  /** Per adapter: its trained copy (the holder's copy is stale while it lives in the variable). */
  readonly copies: Map<string, tf.Tensor>;
  /** Which adapter's values are in the model variable now (null: the original). */
  holder: string | null;
}

