/** Small helpers of LoraModel: variable creation, sizes, and the checks of a config against the chosen layers. */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@xrec/core';
import type { LoraConfig } from './config.js';
import type { LinearLayerLike } from './model-view.js';

/** A trainable variable holding `t` (which is released: the variable keeps its own reference to the data). */
export function variableFrom(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function isThenable<T>(v: unknown): v is PromiseLike<T> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}


/** fanInFanOut must agree with the layers' stored layout (peft warns and corrects; xrec asks for the right value). */
export function resolveFanInFanOut(config: LoraConfig, layers: readonly LinearLayerLike[]): boolean {
  const layouts = new Set(layers.map((l) => l.hfLayout));
  if (layouts.size > 1) {
    if (config.fanInFanOut === null) return false;
    return config.fanInFanOut;
  }
  const conv = layouts.has('conv1d');
  if (config.fanInFanOut !== null && config.fanInFanOut !== conv) {
    const ex = layers[0]!;
    throw new ConfigError(
      `LoraConfig.fanInFanOut: ${config.fanInFanOut} but target '${ex.name}' stores its weight as ${conv ? 'Conv1D [in, out] (use true)' : 'nn.Linear [out, in] (use false)'}; leave it null to read it from the model`,
    );
  }
  return conv;
}

export function biasParamsFor(config: LoraConfig, chosen: readonly LinearLayerLike[], params: Map<string, tf.Variable>): string[] {
  if (config.bias === 'none') return [];
  if (config.bias === 'all') return [...params.keys()].filter((n) => n.endsWith('.bias') || n === 'bias');
  const out: string[] = [];
  for (const l of chosen) {
    if (!l.bias) continue;
    const name = `${l.name}.bias`;
    if (params.get(name) === l.bias) out.push(name);
    else {
      for (const [n, v] of params) if (v === l.bias) out.push(n);
    }
  }
  return out;
}
