/**
 * Module selection with peft's rules (`check_target_module_exists`, `_maybe_include_all_linear_layers`):
 * a list entry matches a module whose name equals it or ends with `.entry`; a string is a regular
 * expression that must match the whole name; `'all-linear'` means every linear layer but the output head.
 */
import { ConfigError } from '@xrec/core';
import type { LoraConfig } from './config.js';
import type { LinearLayerLike, LoraHost } from './model-view.js';

/** Names of output heads that `'all-linear'` leaves out (peft excludes the model's output embedding). */
export const OUTPUT_HEAD_NAMES: readonly string[] = ['lm_head', 'output', 'embed_out', 'decoder'];

/** Does `name` match a peft module pattern (list: equal or `.suffix`; string: full regex match)? */
export function matchesModule(pattern: readonly string[] | string, name: string): boolean {
  if (typeof pattern === 'string') return new RegExp(`^(?:${pattern})$`).test(name);
  return pattern.some((t) => name === t || name.endsWith(`.${t}`));
}

function lastPart(name: string): string {
  const i = name.lastIndexOf('.');
  return i < 0 ? name : name.slice(i + 1);
}

function isOutputHead(layer: LinearLayerLike): boolean {
  return OUTPUT_HEAD_NAMES.includes(lastPart(layer.name));
}

/** peft's per-architecture defaults when `targetModules` is null. */
function defaultTargets(layers: readonly LinearLayerLike[]): readonly string[] | undefined {
  const suffixes = new Set(layers.map((l) => lastPart(l.name)));
  if (suffixes.has('c_attn')) return ['c_attn']; // gpt2
  if (suffixes.has('q_proj') && suffixes.has('v_proj')) return ['q_proj', 'v_proj']; // llama
  if (suffixes.has('query') && suffixes.has('value')) return ['query', 'value']; // bert, roberta
  return undefined;
}

/**
 * The concrete target pattern for a model: `'all-linear'` and `null` are expanded to a list of name
 * suffixes (what peft writes into the saved config); lists and regexes are returned as given.
 */
export function concreteTargets(config: LoraConfig, model: LoraHost): readonly string[] | string {
  const layers = model.linearLayers();
  const tm = config.targetModules;
  if (tm === 'all-linear') {
    const names = new Set<string>();
    for (const l of layers) if (!isOutputHead(l)) names.add(lastPart(l.name));
    // A suffix shared by the head and another layer would select the head too: keep full names then.
    const heads = layers.filter(isOutputHead).map((l) => lastPart(l.name));
    for (const h of heads) names.delete(h);
    return [...names].sort();
  }
  if (tm === null) {
    const d = defaultTargets(layers);
    if (!d) {
      throw new ConfigError(
        `LoraConfig.targetModules: no default for this model (layers: ${describeLayers(layers)}); pass a list, a RegExp or "all-linear"`,
      );
    }
    return d;
  }
  return tm;
}

function describeLayers(layers: readonly LinearLayerLike[]): string {
  const suffixes = [...new Set(layers.map((l) => lastPart(l.name)))];
  return suffixes.length === 0 ? 'none' : suffixes.join(', ');
}

/** The linear layers an adapter goes into; a ConfigError naming the field when nothing matches. */
export function selectTargets(config: LoraConfig, model: LoraHost, targets: readonly string[] | string): LinearLayerLike[] {
  const layers = model.linearLayers();
  const chosen = layers.filter((l) => matchesModule(targets, l.name) && !(config.excludeModules !== null && matchesModule(config.excludeModules, l.name)));
  if (chosen.length === 0) {
    throw new ConfigError(
      `LoraConfig.targetModules: ${JSON.stringify(targets)} matches none of the model's linear layers (layer names end with: ${describeLayers(layers)})`,
    );
  }
  return chosen;
}

/** Module name of a parameter (`a.b.weight` -> `a.b`). */
export function moduleOf(paramName: string): string {
  const i = paramName.lastIndexOf('.');
  return i < 0 ? paramName : paramName.slice(0, i);
}

/** Parameter names selected by `modulesToSave` (module equal to or ending with `.entry`). */
export function selectModulesToSave(modules: readonly string[], model: LoraHost): string[] {
  const names = [...model.parameters().keys()];
  const out: string[] = [];
  for (const m of modules) {
    const hit = names.filter((n) => matchesModule([m], moduleOf(n)));
    if (hit.length === 0) {
      throw new ConfigError(`LoraConfig.modulesToSave: '${m}' matches no module of the model (e.g. ${names.slice(0, 4).map(moduleOf).join(', ')})`);
    }
    for (const h of hit) if (!out.includes(h)) out.push(h);
  }
  return out;
}
