/**
 * The parameter inventory of a model, with Hugging Face names, compute-layout shapes and initialisers, from
 * its architecture spec (arch/). One list drives random init, checkpoint loading (shape checks) and saving.
 * Linear weights are listed in compute layout [in, out]; `layout: 'linear'` ones are stored [out, in] by HF.
 */
import { archSpec } from './arch/index.js';
import type { ParamSpec } from './arch/index.js';
import type { TransformerConfig } from './config.js';

export type { ParamSpec } from './arch/index.js';
export { INIT_STD } from './arch/index.js';

export function parameterSpecs(c: TransformerConfig): ParamSpec[] {
  return archSpec(c.arch).params(c);
}

/** Name of the token-embedding matrix [V, d]. */
export function embeddingName(c: TransformerConfig): string {
  return archSpec(c.arch).embedding;
}
