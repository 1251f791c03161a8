/**
 * Stage 2 with LoRA (xrec's extension of PEPLER's sequential tuning): W = W0 + (α/r)·B·A on every linear
 * layer of the LM except the output head (Hu et al. 2022; `@xrec/lora`, peft's "all-linear"), training only
 * the adapters and the prompts; after the stage the adapters are merged into W0 so the LM is a plain model
 * again (saved and generated from without adapters).
 */
import type * as tf from '@tensorflow/tfjs';
import { StateError } from '@xrec/core';
import { injectLora, mergeAndUnload, type LoraHost } from '@xrec/lora';

export interface LoraHandle {
  /** The trainable adapter variables, by peft-style name. */
  variables(): Map<string, tf.Variable>;
  /** Merge the adapters into the base weights, remove them and make the LM trainable again. */
  mergeAndDetach(): void;
}

export interface LoraStageConfig {
  readonly r: number;
  readonly alpha: number;
  readonly seed: number;
}

function isLoraHost(lm: unknown): lm is LoraHost {
  const m = lm as Partial<LoraHost>;
  return typeof m.linearLayers === 'function' && typeof m.setTrainable === 'function' && typeof m.trainableVariables === 'function';
}

/** Inject LoRA adapters into the LM (base frozen). */
export function attachLora(lm: object, c: LoraStageConfig): LoraHandle {
  if (!isLoraHost(lm)) {
    throw new StateError('pepler: LoRA stage 2 needs a language model with linearLayers()/setTrainable()/trainableVariables() (the @xrec/transformer contract)');
  }
  const host = lm;
  const lora = injectLora(host, { r: c.r, loraAlpha: c.alpha, targetModules: 'all-linear' }, { seed: c.seed });
  return {
    variables: () => new Map(lora.trainableVariables()),
    mergeAndDetach: () => {
      mergeAndUnload(lora);
      host.setTrainable(() => true);
    },
  };
}
