/** Initialisers of prompt tables, drawn from a seeded Rng (row-major, one call per table, in order). */
import { ConfigError, type Rng } from '@xrec/core';

/** `uniform`: U(−range, range), PEPLER's `uniform_(-0.1, 0.1)`; `normal`: N(0, std²), peft's embedding default is N(0, 1). */
export type PromptInit = { readonly kind: 'uniform'; readonly range: number } | { readonly kind: 'normal'; readonly std: number };

export function initValues(rows: number, cols: number, init: PromptInit, rng: Rng, where: string): Float32Array {
  const v = new Float32Array(rows * cols);
  if (init.kind === 'uniform') {
    if (!(init.range > 0)) throw new ConfigError(`${where}: init range must be > 0, got ${init.range}`);
    for (let k = 0; k < v.length; k++) v[k] = (rng.float() * 2 - 1) * init.range;
  } else {
    if (!(init.std > 0)) throw new ConfigError(`${where}: init std must be > 0, got ${init.std}`);
    for (let k = 0; k < v.length; k++) v[k] = rng.normal(0, init.std);
  }
  return v;
}

/** A tfjs variable name that is unique in the process (tfjs refuses duplicates). */
let counter = 0;
export function uniqueName(base: string): string {
  counter += 1;
  return `${base}_${counter}`;
}
