/**
 * The registry of explanation-bench methods, in report order. Built-in methods are registered below; a new
 * method is one file under methods/ plus one line here (or a `registerExplainMethod` call from outside).
 */
import { ConfigError } from '@xrec/core';
import type { BenchProfile } from '../profiles.js';
import type { ExplainMethod } from './method.js';
import { retrievalMethod } from './retrieval.js';
import { peplerDMethod } from './pepler-d.js';
import { peplerContinuousMethod } from './pepler.js';
import { peplerLoraMethod } from './pepler-lora.js';
import { peplerMfMethod } from './pepler-mf.js';
import { peplerMlpMethod } from './pepler-mlp.js';
import { peplerStoriesMethod } from './pepler-stories.js';
import { peplerSplitLmMethod } from './pepler-splitlm.js';
import { peplerNoPretrainMethod } from './pepler-nopretrain.js';

const registry = new Map<string, ExplainMethod>();

const ID_RE = /^[a-z0-9][a-z0-9-]*$/;

/** Add a method (ids are unique, lower-case kebab). */
export function registerExplainMethod(m: ExplainMethod): void {
  if (!ID_RE.test(m.id)) throw new ConfigError(`registerExplainMethod: id must be lower-case kebab-case, got ${JSON.stringify(m.id)}`);
  if (registry.has(m.id)) throw new ConfigError(`registerExplainMethod: '${m.id}' is already registered`);
  registry.set(m.id, m);
}

/** Remove a method (tests that register a toy method clean up with this). */
export function unregisterExplainMethod(id: string): void {
  registry.delete(id);
}

/** Every registered method, in report order. */
export function explainMethods(): ExplainMethod[] {
  return [...registry.values()];
}

/** The method `id`; a ConfigError listing the known ids otherwise. */
export function getExplainMethod(id: string): ExplainMethod {
  const m = registry.get(id);
  if (!m) throw new ConfigError(`bench explain: unknown method '${id}' (known: ${[...registry.keys()].join(', ')})`);
  return m;
}

for (const m of [
  retrievalMethod,
  peplerDMethod,
  peplerContinuousMethod,
  peplerLoraMethod,
  peplerMfMethod,
  peplerMlpMethod,
  peplerStoriesMethod,
  peplerSplitLmMethod,
  peplerNoPretrainMethod,
]) {
  registerExplainMethod(m);
}

/** The methods of a `--methods a,b,c` list (order kept, duplicates removed), else the profile's. */
export function parseMethods(list: string | undefined, profile: BenchProfile): string[] {
  if (list === undefined || list.trim() === '') return profile.methods === 'all' ? explainMethods().map((m) => m.id) : profile.methods.map((id) => getExplainMethod(id).id);
  const out: string[] = [];
  for (const raw of list.split(',')) {
    const id = raw.trim();
    if (id === '') continue;
    getExplainMethod(id);
    if (!out.includes(id)) out.push(id);
  }
  if (out.length === 0) throw new ConfigError('bench explain: --methods names no method');
  return out;
}
