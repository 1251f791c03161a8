/**
 * Trained fair prompts saved beside their frozen P5 (the UP5 reference keeps one prefix checkpoint per
 * attribute): a folder with the P5 save in `p5/` (see `P5Recommender.save`), `up5.json` (format `xrec-up5`,
 * version 1: per attribute its prompt config, class count and label names; the mixture's config when one is
 * saved) and `up5.safetensors` (every prompt's and the mixture's variables, and two attackers per attribute — one trained on the unprompted user representations, one on the
 * representations with that attribute's prompt on). Files are written to a temporary name and renamed.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, ConfigError, float32ToTensor, loadSafetensors, Rng, saveSafetensors, tensorToFloat32, writeFileAtomic } from '@xrec/core';
import { P5Recommender } from '@xrec/p5';
import { Discriminator } from './discriminator.js';
import { FairPrefix, type FairPrefixConfig } from './fair-prefix.js';
import { PromptMixture, type PromptMixtureConfig } from './prompt-mixture.js';

export const UP5_FORMAT = 'xrec-up5';
export const UP5_VERSION = 1;

/** One sensitive attribute's trained prompt and its attackers. */
export interface Up5Attribute {
  readonly attribute: string;
  /** Class count (2 for binary attributes). */
  readonly classes: number;
  /** Display names of the classes, index = class (optional). */
  readonly labels?: readonly string[];
  readonly prompt: FairPrefix;
  /** `unfair`: trained on the P5's own user representations; `fair`: on the representations with this prompt on. */
  readonly attackers: { readonly unfair: Discriminator; readonly fair: Discriminator };
}

/** A loaded UP5 folder: the frozen P5 and every attribute's prompt and attackers. */
export interface Up5Model {
  readonly rec: P5Recommender;
  readonly attributes: ReadonlyMap<string, Up5Attribute>;
  /** The trained prompt mixture, when one was saved (combines any subset of the prompts). */
  readonly mixture?: PromptMixture;
  /** Free every tensor (the P5's too). */
  dispose(): void;
}

interface Up5Meta {
  readonly format: string;
  readonly version: number;
  readonly attributes: readonly { attribute: string; classes: number; labels?: readonly string[]; prompt: FairPrefixConfig }[];
  readonly mixture?: PromptMixtureConfig;
}

function varsOf(a: Up5Attribute): [string, tf.Variable][] {
  return [
    ...[...a.prompt.variables()].map(([n, v]) => [`prompt.${n}`, v] as [string, tf.Variable]),
    // attackers' variables by layer (`<i>.weight`), whatever name the discriminator was created with
    ...(['unfair', 'fair'] as const).flatMap((k) => [...a.attackers[k].variables()].map(([n, v]) => [`attacker.${a.attribute}.${k}.${n.slice(a.attackers[k].name.length + 1)}`, v] as [string, tf.Variable])),
  ];
}

/**
 * Write `up5.json` and `up5.safetensors` into `dir` (created when missing; the P5 is saved separately into
 * `dir/p5` with `P5Recommender.save`). Attribute names must be unique.
 */
export async function saveUp5Prompts(dir: string, attributes: readonly Up5Attribute[], mixture?: PromptMixture): Promise<void> {
  const names = attributes.map((a) => a.attribute);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new ConfigError(`saveUp5Prompts: attribute '${dup}' appears twice`);
  if (attributes.length === 0) throw new ConfigError('saveUp5Prompts: no attributes to save');
  await mkdir(dir, { recursive: true });
  const meta: Up5Meta = {
    format: UP5_FORMAT,
    version: UP5_VERSION,
    attributes: attributes.map((a) => ({ attribute: a.attribute, classes: a.classes, ...(a.labels ? { labels: a.labels } : {}), prompt: a.prompt.config })),
    ...(mixture ? { mixture: mixture.config } : {}),
  };
  const named = [...attributes.flatMap(varsOf), ...(mixture ? [...mixture.variables()] : [])];
  await saveSafetensors(join(dir, 'up5.safetensors'), named.map(([n, v]) => [n, float32ToTensor(v.dataSync() as Float32Array, v.shape)] as const), { format: UP5_FORMAT });
  await writeFileAtomic(join(dir, 'up5.json'), `${JSON.stringify(meta, null, 1)}\n`);
}

/** Load a folder written by {@link saveUp5Prompts} beside a P5 save in `dir/p5`. */
export async function loadUp5Model(dir: string): Promise<Up5Model> {
  const metaPath = join(dir, 'up5.json');
  if (!existsSync(metaPath)) throw new CheckpointError(`loadUp5Model: ${metaPath} not found (make one with \`xrec bench fairness --out ${dir}\`)`);
  let meta: Up5Meta;
  try {
    meta = JSON.parse(await readFile(metaPath, 'utf8')) as Up5Meta;
  } catch (e) {
    throw new CheckpointError(`loadUp5Model: ${metaPath}: ${(e as Error).message}`, { cause: e });
  }
  if (meta.format !== UP5_FORMAT) throw new CheckpointError(`loadUp5Model: ${metaPath} is not an xrec UP5 file (format '${String(meta.format)}')`);
  if (meta.version !== UP5_VERSION) throw new CheckpointError(`loadUp5Model: ${metaPath} has version ${String(meta.version)}; this xrec reads version ${UP5_VERSION}`);
  const file = await loadSafetensors(join(dir, 'up5.safetensors'));
  const rec = await P5Recommender.load(join(dir, 'p5'));
  const out = new Map<string, Up5Attribute>();
  const mixture = meta.mixture ? new PromptMixture(rec.model.config, meta.mixture, new Rng(0)) : undefined;
  const dispose = () => {
    mixture?.dispose();
    for (const a of out.values()) {
      a.prompt.dispose();
      a.attackers.unfair.dispose();
      a.attackers.fair.dispose();
    }
    rec.dispose();
  };
  try {
    const d = rec.model.config.dModel;
    const restore = (name: string, v: tf.Variable) => {
      const t = file.tensors.get(name);
      if (!t) throw new CheckpointError(`loadUp5Model: ${join(dir, 'up5.safetensors')} has no tensor '${name}'`);
      if (t.dtype !== 'F32' || t.shape.join(',') !== v.shape.join(',')) {
        throw new CheckpointError(`loadUp5Model: tensor '${name}' is ${t.dtype} [${t.shape.join(', ')}], expected F32 [${v.shape.join(', ')}]`);
      }
      const data = tensorToFloat32(t, name);
      tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
    };
    for (const [name, v] of mixture?.variables() ?? []) restore(name, v);
    for (const m of meta.attributes) {
      const rng = new Rng(0);
      const a: Up5Attribute = {
        attribute: m.attribute,
        classes: m.classes,
        ...(m.labels ? { labels: m.labels } : {}),
        prompt: FairPrefix.create(m.attribute, rec.model.config, m.prompt, rng.fork('prompt')),
        attackers: { unfair: new Discriminator(d, m.classes, rng.fork('unfair'), 'disc'), fair: new Discriminator(d, m.classes, rng.fork('fair'), 'disc') },
      };
      out.set(m.attribute, a);
      for (const [name, v] of varsOf(a)) restore(name, v);
    }
  } catch (e) {
    dispose();
    throw e;
  }
  return { rec, attributes: out, ...(mixture ? { mixture } : {}), dispose };
}
