/**
 * The playground's models, loaded once at start-up and shared by every request. Each view loads from the models
 * folder what a bench run left there — Explain: `<models>/quick` (the README's main job) or `<models>/smoke`;
 * Fairness: `<models>/fairness` (quick) or `<models>/fairness-smoke` — and, when it is missing and training is
 * allowed, trains it first with the bench task (a progress line per step). Cold start needs MovieLens-100K in
 * the data folder and the shipped base models. A view that cannot load is reported (with the reason), not fatal.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findDataset, type Progress } from '@xrec/core';
import { getBenchTask } from '@xrec/bench';
import { initBackend } from '@xrec/transformer';
import type { View } from '../schemas.js';
import { ColdStartService } from './coldstart.js';
import { ExplainService } from './explain.js';
import { FairnessService } from './fairness.js';

export interface PlaygroundModelsOptions {
  /** Folder of bench outputs (default `results`, where `npm run main` writes). */
  readonly modelsDir: string;
  readonly dataDir?: string;
  /** Profile of the bench runs trained on first start (default quick). */
  readonly profile?: 'smoke' | 'quick';
  /** Train missing models on first start (default true). */
  readonly train?: boolean;
  /** Epochs of the cold-start prompt tuning at start-up (default 4; 0 skips the prompt-tuned method). */
  readonly tuneEpochs?: number;
  /** Views to load (default all three model views). */
  readonly views?: readonly View[];
  readonly progress: Progress;
}

export interface PlaygroundModels {
  readonly explain?: ExplainService;
  readonly coldstart?: ColdStartService;
  readonly fairness?: FairnessService;
  /** Why a view has no model. */
  readonly unavailable: Partial<Record<View, string>>;
  /** Where the Benchmarks view looks for report.json files. */
  readonly reportRoots: readonly { dir: string; label: string }[];
  dispose(): void;
}

/** The repository root (apps/playground/{src,dist}/services/… → four folders up). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export async function loadPlaygroundModels(o: PlaygroundModelsOptions): Promise<PlaygroundModels> {
  await initBackend();
  const profile = o.profile ?? 'quick';
  const train = o.train ?? true;
  const views = o.views ?? ['explain', 'coldstart', 'fairness'];
  const unavailable: Partial<Record<View, string>> = {};
  const log = (m: string) => o.progress.log(`playground: ${m}`);
  const attempt = async <T>(view: View, f: () => Promise<T>): Promise<T | undefined> => {
    if (!views.includes(view)) {
      unavailable[view] = 'not loaded (--views)';
      return undefined;
    }
    try {
      return await f();
    } catch (e) {
      unavailable[view] = e instanceof Error ? e.message : String(e);
      log(`${view} view unavailable: ${unavailable[view]}`);
      return undefined;
    }
  };
  const explainDir = join(o.modelsDir, profile);
  const explain = await attempt('explain', async () => {
    if (!existsSync(join(explainDir, 'report.json')) && train) {
      log(`no explanation models in ${explainDir}: training PEPLER-D, PEPLER and PEPLER-MLP on xrec-base (bench explain, ${profile} profile)…`);
      await getBenchTask('explain').run({ out: explainDir, ...(o.dataDir ? { dataDir: o.dataDir } : {}), options: { profile, methods: 'retrieval,pepler-d,pepler,pepler-mlp', concurrency: profile === 'smoke' ? 1 : 2 }, progress: o.progress });
    }
    return ExplainService.load(explainDir, REPO_ROOT, o.progress);
  });
  const fairDir = join(o.modelsDir, profile === 'quick' ? 'fairness' : `fairness-${profile}`);
  const fairness = await attempt('fairness', async () => {
    if (!existsSync(join(fairDir, 'up5.json')) && train) {
      if (!findDataset('insurance-fairness', o.dataDir)) throw new Error(`no fairness model in ${fairDir}, and insurance-fairness is not in the data folder to train one (set XREC_DATA_DIR)`);
      log(`no fairness model in ${fairDir}: training a P5 and one fair prompt per attribute (bench fairness, ${profile} profile)…`);
      await getBenchTask('fairness').run({ out: fairDir, ...(o.dataDir ? { dataDir: o.dataDir } : {}), options: { profile }, progress: o.progress });
    }
    return FairnessService.load(fairDir);
  });
  const coldstart = await attempt('coldstart', async () => {
    log('cold start: loading xrec-base-mlm and xrec-base, tuning a soft prompt on 250 MovieLens-100K rows…');
    return ColdStartService.load({ ...(o.dataDir ? { dataDir: o.dataDir } : {}), ...(o.tuneEpochs !== undefined ? { tuneEpochs: o.tuneEpochs } : {}), progress: o.progress });
  });
  return {
    ...(explain ? { explain } : {}),
    ...(coldstart ? { coldstart } : {}),
    ...(fairness ? { fairness } : {}),
    unavailable,
    reportRoots: [
      { dir: join(REPO_ROOT, 'apps', 'bench', 'results'), label: 'apps/bench/results' },
      { dir: o.modelsDir, label: 'models' },
    ],
    dispose() {
      explain?.dispose();
      coldstart?.dispose();
      fairness?.dispose();
    },
  };
}
