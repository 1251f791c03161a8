/**
 * The base language models of the explanation bench (see `BaseModelId` in types.ts) and where they come from.
 * xrec-base is the model shipped in the repository's `models/xrec-base` (pre-trained by `xrec pretrain` on
 * the public pre-training corpus, which holds no benchmark text); it is found through `$XREC_BASE_MODEL`, else
 * by walking up from this package to the workspace's `models/` folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError, Rng } from '@xrec/core';
import { loadTokenizer, type Tokenizer } from '@xrec/tokenizer';
import { TransformerLM, fromHfConfig, loadLlama2c } from '@xrec/transformer';
import { findStories } from './stories.js';
import type { BaseModelId, SplitContext } from './types.js';

export const BASE_MODEL_LABELS: Readonly<Record<BaseModelId, string>> = {
  none: '—',
  'xrec-base': 'xrec-base (pre-trained on the public corpus)',
  'split-lm': '(a) pre-trained on the train split only',
  'random-init': 'xrec-base shape, random init',
  stories260K: 'stories260K + tok512',
};

export const XREC_BASE_ENV = 'XREC_BASE_MODEL';

function isModelDir(d: string): boolean {
  return existsSync(join(d, 'config.json')) && existsSync(join(d, 'model.safetensors')) && existsSync(join(d, 'tokenizer.json'));
}

/**
 * A model folder shipped in the workspace's `models/` (xrec-base, xrec-base-mlm): `$<env>` when set, else found
 * by walking up from this package; undefined with the places looked at.
 */
export function findWorkspaceModel(name: string, envVar: string, env: NodeJS.ProcessEnv = process.env): { dir?: string; looked: string[] } {
  const looked: string[] = [];
  if (env[envVar]) {
    looked.push(env[envVar]!);
    if (isModelDir(env[envVar]!)) return { dir: env[envVar]!, looked };
  }
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const c = join(d, 'models', name);
    if (existsSync(join(d, 'pnpm-workspace.yaml')) || existsSync(c)) {
      looked.push(c);
      if (isModelDir(c)) return { dir: c, looked };
    }
    d = dirname(d);
  }
  return { looked };
}

/** The xrec-base directory, or undefined with the places looked at. */
export function findXrecBase(env: NodeJS.ProcessEnv = process.env): { dir?: string; looked: string[] } {
  return findWorkspaceModel('xrec-base', XREC_BASE_ENV, env);
}

const fingerprints = new Map<string, string>();

/**
 * Identity of a model directory for run fingerprints: a hash of its config, weights and tokenizer (a model
 * retrained in place with the same shape gets a new one), memoised per file size and modification time.
 */
export function modelFingerprint(dir: string): string {
  const files = ['config.json', 'model.safetensors', 'tokenizer.json'].map((f) => join(dir, f));
  const stamp = files.map((f) => { const st = statSync(f); return `${f}:${st.size}:${st.mtimeMs}`; }).join('|');
  const known = fingerprints.get(stamp);
  if (known) return known;
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(f));
  const out = h.digest('hex').slice(0, 16);
  fingerprints.set(stamp, out);
  return out;
}

/** Why a base model cannot be used here (undefined when it can). */
export function baseUnavailable(id: BaseModelId): string | undefined {
  if (id === 'xrec-base' || id === 'random-init') {
    const f = findXrecBase();
    return f.dir ? undefined : `models/xrec-base not found (looked in ${f.looked.join(', ') || 'no workspace'}; set ${XREC_BASE_ENV})`;
  }
  if (id === 'stories260K') {
    const s = findStories();
    return s.files ? undefined : `stories260K.bin/tok512.bin not found (looked in ${s.looked.join(', ')}; set XREC_STORIES_DIR)`;
  }
  return undefined;
}

export interface LoadedBase {
  readonly lm: TransformerLM;
  readonly tokenizer: Tokenizer;
  /** Copied into saved PEPLER models. */
  readonly tokenizerFile: string;
}

/** Load (or create) the base model of a run; `seed` seeds the random init. */
export async function loadBase(id: BaseModelId, ctx: SplitContext, seed: number): Promise<LoadedBase> {
  switch (id) {
    case 'xrec-base':
    case 'random-init': {
      const dir = findXrecBase().dir;
      if (!dir) throw new NotFoundError(`bench: ${baseUnavailable(id)}`);
      const tokenizerFile = join(dir, 'tokenizer.json');
      const tokenizer = await loadTokenizer(tokenizerFile);
      if (id === 'xrec-base') return { lm: await TransformerLM.load(dir), tokenizer, tokenizerFile };
      const cfgPath = join(dir, 'config.json');
      const config = fromHfConfig(JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>, cfgPath);
      return { lm: TransformerLM.create(config, new Rng(2000 + 100 * ctx.splitNo + seed)), tokenizer, tokenizerFile };
    }
    case 'split-lm':
      return { lm: await TransformerLM.load(ctx.baseDir), tokenizer: ctx.tokenizer, tokenizerFile: ctx.tokFile };
    case 'stories260K': {
      const stories = findStories().files;
      if (!stories) throw new NotFoundError(`bench: ${baseUnavailable(id)}`);
      return { lm: await loadLlama2c(stories.model), tokenizer: await loadTokenizer(stories.tokenizer), tokenizerFile: stories.tokenizer };
    }
    case 'none':
      throw new NotFoundError('bench: the retrieval baseline has no language model');
  }
}
