/** The architecture specs by name. */
import { ConfigError } from '@xrec/core';
import type { TransformerConfig } from '../config.js';
import { BERT, ROBERTA } from './bert.js';
import { GPT2 } from './gpt2.js';
import { LLAMA } from './llama.js';
import type { ArchSpec } from './spec.js';

const SPECS: Readonly<Record<TransformerConfig['arch'], ArchSpec>> = { gpt2: GPT2, llama: LLAMA, bert: BERT, roberta: ROBERTA };

export function archSpec(arch: TransformerConfig['arch']): ArchSpec {
  const s = SPECS[arch];
  if (!s) throw new ConfigError(`no architecture '${String(arch)}' (known: ${Object.keys(SPECS).join(', ')})`);
  return s;
}

export type { ArchSpec, BlockNames, ParamSpec } from './spec.js';
export { INIT_STD } from './spec.js';
