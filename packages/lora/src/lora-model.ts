/**
 * LoRA on a whole model (Hu et al. 2022), with peft's verbs: inject adapters into the targeted linear layers,
 * freeze the base, switch between named adapters, merge/unmerge, run the base alone, unload.
 *
 * The base model is changed in place, reversibly: `layer.adapter` is set on targeted layers, trainability is
 * switched with `model.setTrainable`, and `modulesToSave` parameters keep an exact copy of their original
 * values (restored by `disableAdapters`, `setAdapter` to an adapter without them, and `unload`).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, Rng, StateError } from '@xrec/core';
import { loraScaling, patternValue, resolveLoraConfig, type LoraConfig, type LoraConfigInput } from './config.js';
import type { LoraHost } from './model-view.js';
import { initialLoraValues, LoraLayer, type LoraWeights } from './layer.js';
import { concreteTargets, selectModulesToSave, selectTargets } from './targets.js';
import { biasParamsFor, isThenable, resolveFanInFanOut, variableFrom } from './lora-helpers.js';
import type { AdapterInfo, InjectOptions, ParameterReport } from './lora-types.js';
import { SavedParams } from './saved-params.js';

export type { AdapterInfo, InjectOptions, ParameterReport } from './lora-types.js';

const registry = new WeakMap<object, LoraModel<LoraHost>>();

/** The LoRA state of a model that {@link injectLora} adapted, if any. */
export function getLoraModel<M extends LoraHost>(model: M): LoraModel<M> | undefined {
  return registry.get(model) as LoraModel<M> | undefined;
}

/**
 * Add a LoRA adapter to `model` (peft's `get_peft_model` / `add_adapter`). The first call freezes the base
 * model and makes the new adapter active; later calls on the same model add more named adapters (inactive
 * until {@link LoraModel.setAdapter}). Returns the model's {@link LoraModel}.
 */
export function injectLora<M extends LoraHost>(model: M, config: LoraConfigInput | LoraConfig = {}, options: InjectOptions = {}): LoraModel<M> {
  const existing = getLoraModel(model);
  const lm = existing ?? new LoraModel(model);
  lm.addAdapter(options.adapterName ?? 'default', config, { seed: options.seed ?? 0 });
  if (!existing) registry.set(model, lm as unknown as LoraModel<LoraHost>);
  return lm;
}

export class LoraModel<M extends LoraHost> {
  readonly model: M;
  private readonly layers = new Map<string, LoraLayer>();
  private readonly infos = new Map<string, AdapterInfo>();
  private readonly saved = new SavedParams();
  private readonly baseTrainable: ReadonlySet<string>;
  private active: string | undefined;
  private readonly frozen = new Set<string>();
  private released = false;

  constructor(model: M) {
    this.model = model;
    this.baseTrainable = new Set(model.trainableVariables().keys());
  }

  /** Names of the injected adapters, in injection order. */
  get adapterNames(): string[] {
    return [...this.infos.keys()];
  }

  /** The active adapter (peft's `active_adapter`). */
  get activeAdapter(): string {
    this.check('activeAdapter');
    return this.active!;
  }

  /** Adapters whose update is in the base weights now. */
  get mergedAdapters(): string[] {
    for (const l of this.layers.values()) if (l.merged.length > 0) return [...l.merged];
    return [];
  }

  adapter(name: string = this.activeAdapter): AdapterInfo {
    const info = this.infos.get(name);
    if (!info) throw new ConfigError(`lora: no adapter named '${name}' (have: ${this.adapterNames.join(', ') || 'none'})`);
    return info;
  }

  /** The LoRA layer state of every adapted linear layer, by layer name. */
  loraLayers(): ReadonlyMap<string, LoraLayer> {
    return this.layers;
  }

  private check(op: string): void {
    if (this.released) throw new StateError(`lora.${op}: the adapters were unloaded from this model`);
  }

  /** peft's `add_adapter`: inject a new named adapter. */
  addAdapter(name: string, configInput: LoraConfigInput | LoraConfig, opts: { seed?: number } = {}): AdapterInfo {
    this.check('addAdapter');
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name)) {
      throw new ConfigError(`injectLora: adapterName must be a non-empty identifier of letters, digits, '_' or '-', got ${JSON.stringify(name)}`);
    }
    if (this.infos.has(name)) throw new ConfigError(`injectLora: adapterName '${name}' is already in use (adapters: ${this.adapterNames.join(', ')})`);
    const seed = opts.seed ?? 0;
    if (!Number.isInteger(seed)) throw new ConfigError(`injectLora: seed must be an integer, got ${seed}`);
    const cfg0 = resolveLoraConfig(configInput as LoraConfigInput);
    const targets = concreteTargets(cfg0, this.model);
    const chosen = selectTargets(cfg0, this.model, targets);
    const fanInFanOut = resolveFanInFanOut(cfg0, chosen);
    const config: LoraConfig = Object.freeze({ ...cfg0, targetModules: targets, fanInFanOut });
    const params = this.model.parameters();
    const savedParams = config.modulesToSave ? selectModulesToSave(config.modulesToSave, this.model) : [];
    const targeted = new Set(chosen.map((l) => l.name));
    for (const p of savedParams) {
      const lin = this.model.linearLayers().find((l) => p === `${l.name}.weight` || p === `${l.name}.bias`);
      if (lin && targeted.has(lin.name)) {
        throw new ConfigError(`LoraConfig.modulesToSave: '${lin.name}' is also a LoRA target (targetModules); a module is either adapted or saved whole`);
      }
    }
    const biasParams = biasParamsFor(config, chosen, params);

    for (const layer of chosen) {
      if (!this.layers.has(layer.name) && layer.adapter !== undefined) {
        throw new StateError(`injectLora: layer '${layer.name}' already has a non-LoRA adapter installed`);
      }
    }

    const root = new Rng(seed);
    for (const layer of chosen) {
      const r = patternValue(config.rankPattern, layer.name) ?? config.r;
      const alpha = patternValue(config.alphaPattern, layer.name) ?? config.loraAlpha;
      const { a, b } = initialLoraValues(config.initLoraWeights, layer.inFeatures, layer.outFeatures, r, root.fork(`init:${name}:${layer.name}`));
      const w: LoraWeights = {
        adapterName: name,
        r,
        alpha,
        scaling: loraScaling(alpha, r, config.useRslora),
        dropout: config.loraDropout,
        a: variableFrom(tf.tensor2d(a, [layer.inFeatures, r])), // [in, r]
        b: variableFrom(tf.tensor2d(b, [r, layer.outFeatures])), // [r, out]
        rng: root.fork(`dropout:${name}:${layer.name}`),
      };
      let ll = this.layers.get(layer.name);
      if (!ll) {
        ll = new LoraLayer(layer);
        this.layers.set(layer.name, ll);
      }
      ll.addAdapter(w);
    }
    for (const p of savedParams) this.saved.add(p, name, params.get(p)!);
    const info: AdapterInfo = Object.freeze({ name, config, layers: chosen.map((l) => l.name), savedParams, biasParams });
    this.infos.set(name, info);
    if (this.active === undefined) this.setAdapter(name);
    else this.applyTrainable();
    return info;
  }

  /** peft's `set_adapter`: make `name` the one adapter that runs and trains. */
  setAdapter(name: string): void {
    this.check('setAdapter');
    this.adapter(name);
    if (this.mergedAdapters.length > 0) throw new StateError(`lora.setAdapter: adapters ${this.mergedAdapters.join(', ')} are merged; unmerge first`);
    this.active = name;
    for (const l of this.layers.values()) {
      l.active = l.adapters.has(name) ? [name] : [];
      l.refresh();
    }
    this.syncSaved(name);
    this.applyTrainable();
  }

  /** peft's `delete_adapter`. The active adapter cannot be deleted while others exist... unless it is the last. */
  deleteAdapter(name: string): void {
    this.check('deleteAdapter');
    this.adapter(name);
    if (this.mergedAdapters.includes(name)) throw new StateError(`lora.deleteAdapter: '${name}' is merged; unmerge first`);
    if (name === this.active && this.infos.size > 1) {
      throw new StateError(`lora.deleteAdapter: '${name}' is active; setAdapter to another adapter first`);
    }
    if (name === this.active) {
      this.unload();
      return;
    }
    for (const [ln, l] of this.layers) {
      l.removeAdapter(name);
      if (l.adapters.size === 0) {
        l.base.adapter = undefined;
        l.dispose();
        this.layers.delete(ln);
      }
    }
    this.saved.removeAdapter(name);
    this.infos.delete(name);
    this.frozen.delete(name);
    this.applyTrainable();
  }

  /** Put `target`'s modulesToSave values (or the originals, for null) into the model variables. */
  private syncSaved(target: string | null): void {
    this.saved.sync(this.model.parameters(), target);
  }

  /** Current values of an adapter's modulesToSave and bias parameters (the variable when it holds them). */
  savedParamValues(name: string): Map<string, tf.Tensor> {
    const info = this.adapter(name);
    const params = this.model.parameters();
    const out = new Map<string, tf.Tensor>();
    for (const p of [...info.savedParams, ...info.biasParams]) out.set(p, this.saved.storedCopy(p, name) ?? params.get(p)!);
    return out;
  }

  /** Set an adapter's modulesToSave values (its copy, or the variable when active); biases go into the model. Takes ownership. */
  setSavedParamValues(name: string, values: ReadonlyMap<string, tf.Tensor>): void {
    this.adapter(name);
    const params = this.model.parameters();
    for (const [p, t] of values) {
      if (this.saved.replaceStoredCopy(p, name, t)) continue;
      params.get(p)!.assign(t);
      t.dispose();
    }
  }

  /** Stop an adapter from training (peft's inference mode); it still runs when active. */
  freezeAdapter(name: string): void {
    this.adapter(name);
    this.frozen.add(name);
    this.applyTrainable();
  }

  /** Let a frozen adapter train again. */
  unfreezeAdapter(name: string): void {
    this.adapter(name);
    this.frozen.delete(name);
    this.applyTrainable();
  }

  /** Freeze the base except the active adapter's modulesToSave and biases; only the active adapter's A, B train. */
  private applyTrainable(): void {
    const trains = this.active !== undefined && !this.frozen.has(this.active);
    const info = trains ? this.infos.get(this.active!) : undefined;
    const train = new Set<string>([...(info?.savedParams ?? []), ...(info?.biasParams ?? [])]);
    this.model.setTrainable((n) => train.has(n));
    for (const l of this.layers.values()) {
      for (const w of l.adapters.values()) {
        w.a.trainable = trains && w.adapterName === this.active;
        w.b.trainable = trains && w.adapterName === this.active;
      }
    }
  }

  /**
   * The variables to hand to the trainer: the active adapter's A and B (named with peft's internal names,
   * `<layer>.lora_A.<adapter>.weight`), its modulesToSave parameters and trainable biases (HF names).
   */
  /**
   * Reseed every adapter's dropout from `seed` (the trainer's per-update seed, `ctx.seed`): the masks of an
   * update then depend only on (seed, adapter, layer), so a killed and resumed run draws the same masks as an
   * uninterrupted one.
   */
  reseedDropout(seed: number): void {
    const root = new Rng(seed);
    for (const [layerName, layer] of this.layers) {
      for (const w of layer.adapters.values()) w.rng = root.fork(`dropout:${w.adapterName}:${layerName}`);
    }
  }

  trainableVariables(): Map<string, tf.Variable> {
    this.check('trainableVariables');
    const out = new Map<string, tf.Variable>();
    const name = this.activeAdapter;
    if (this.frozen.has(name)) return out;
    for (const [ln, l] of this.layers) {
      const w = l.adapters.get(name);
      if (!w) continue;
      out.set(`${ln}.lora_A.${name}.weight`, w.a);
      out.set(`${ln}.lora_B.${name}.weight`, w.b);
    }
    const params = this.model.parameters();
    const info = this.adapter(name);
    for (const p of [...info.savedParams, ...info.biasParams]) out.set(p, params.get(p)!);
    return out;
  }

  /** Trainable vs all parameters (all = base + every adapter's A, B and modulesToSave copies, as peft counts). */
  parameterReport(): ParameterReport {
    this.check('parameterReport');
    const seen = new Set<tf.Variable>();
    let total = 0;
    for (const v of this.model.parameters().values()) {
      if (seen.has(v)) continue;
      seen.add(v);
      total += v.size;
    }
    for (const l of this.layers.values()) for (const w of l.adapters.values()) total += w.a.size + w.b.size;
    total += this.saved.copiedParameters();
    let trainable = 0;
    for (const v of new Set(this.trainableVariables().values())) trainable += v.size;
    return { trainable, total, percent: total === 0 ? 0 : (100 * trainable) / total };
  }

  /** peft's `print_trainable_parameters` line: `trainable params: 1,024 || all params: 65,536 || trainable%: 1.5625`. */
  trainableParametersText(): string {
    const r = this.parameterReport();
    const f = (n: number) => n.toLocaleString('en-US');
    return `trainable params: ${f(r.trainable)} || all params: ${f(r.total)} || trainable%: ${r.percent.toFixed(4)}`;
  }

  /** Merge the adapters (default: the active one) into the base weights, in place; reversible by {@link unmerge}. */
  merge(adapterNames?: readonly string[]): void {
    this.check('merge');
    const names = adapterNames ?? [this.activeAdapter];
    for (const n of names) this.adapter(n);
    // Check every layer before touching any: a non-finite update leaves the model as it was.
    const done: LoraLayer[] = [];
    try {
      for (const l of this.layers.values()) {
        const here = names.filter((n) => l.adapters.has(n));
        if (here.length === 0) continue;
        l.merge(here);
        done.push(l);
      }
    } catch (e) {
      for (const l of done) l.unmerge();
      throw e;
    }
  }

  /** Restore the exact pre-merge base weights. */
  unmerge(): void {
    this.check('unmerge');
    for (const l of this.layers.values()) l.unmerge();
  }

  /**
   * Run `fn` with every adapter off (peft's `disable_adapter` context): merged updates are taken out,
   * adapters skipped and modulesToSave originals put back; everything is restored afterwards, also when
   * `fn` throws. Works with synchronous and async `fn`.
   */
  disableAdapters<T>(fn: () => Promise<T>): Promise<T>;
  disableAdapters<T>(fn: () => T): T;
  disableAdapters<T>(fn: () => T | Promise<T>): T | Promise<T> {
    this.check('disableAdapters');
    const merged = this.mergedAdapters;
    const before = [...this.layers.values()].map((l) => l.base.adapterDisabled);
    this.unmerge();
    for (const l of this.layers.values()) l.base.adapterDisabled = true;
    this.syncSaved(null);
    const restore = () => {
      [...this.layers.values()].forEach((l, i) => (l.base.adapterDisabled = before[i]!));
      this.syncSaved(this.active ?? null);
      if (merged.length > 0) this.merge(merged);
    };
    let out: T | Promise<T>;
    try {
      out = fn();
    } catch (e) {
      restore();
      throw e;
    }
    if (isThenable<T>(out)) {
      return Promise.resolve(out).finally(restore);
    }
    restore();
    return out;
  }

  /**
   * peft's `merge_and_unload`: merge the active adapter into the base weights for good, remove every adapter
   * and return the plain model (no LoRA cost at inference). The active adapter's modulesToSave values stay.
   */
  mergeAndUnload(): M {
    this.check('mergeAndUnload');
    const name = this.activeAdapter;
    this.unmerge();
    this.merge([name]);
    for (const l of this.layers.values()) l.commitMerge();
    this.syncSaved(name);
    return this.release(false);
  }

  /** peft's `unload`: remove every adapter and give the base model back exactly as it was. */
  unload(): M {
    this.check('unload');
    this.unmerge();
    this.syncSaved(null);
    return this.release(true);
  }

  private release(_restored: boolean): M {
    for (const l of this.layers.values()) {
      l.base.adapter = undefined;
      l.base.adapterDisabled = false;
      l.dispose();
    }
    this.layers.clear();
    this.saved.dispose();
    this.infos.clear();
    this.active = undefined;
    this.model.setTrainable((n) => this.baseTrainable.has(n));
    this.released = true;
    registry.delete(this.model);
    return this.model;
  }
}
