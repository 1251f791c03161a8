/**
 * The shared body of every PEPLER row (Li, Zhang & Chen, TOIS 2023): load the method's base model, train
 * PEPLER with the method's config on the split, explain the test pairs greedily, save the model.
 */
import { Pepler, type PeplerConfig } from '@xrec/pepler';
import { loadBase } from '../base-models.js';
import type { BenchProfile } from '../profiles.js';
import type { ExplainMethod, MethodOutput, MethodRunContext } from './method.js';

/** The settings every PEPLER row shares under a profile. */
export function commonPeplerConfig(profile: BenchProfile, seed: number): Partial<PeplerConfig> {
  return {
    batchSize: profile.pepler.batchSize,
    epochs: profile.pepler.epochs,
    stage1Epochs: profile.pepler.stage1Epochs,
    patience: profile.pepler.patience,
    maxBatchesPerEpoch: profile.pepler.maxBatchesPerEpoch,
    ...(profile.pepler.lr > 0 ? { lr: profile.pepler.lr } : {}),
    ...(profile.pepler.lr2 > 0 ? { lr2: profile.pepler.lr2 } : {}),
    promptLrScale: profile.pepler.promptLrScale,
    seed,
  };
}

async function runPepler(this: ExplainMethod, rc: MethodRunContext): Promise<MethodOutput> {
  const { ctx, seed, progress } = rc;
  const base = await loadBase(this.baseModel, ctx, seed);
  const { model, report } = await Pepler.train({
    lm: base.lm,
    tokenizer: base.tokenizer,
    tokenizerFile: base.tokenizerFile,
    data: { records: ctx.trainRecords, train: ctx.rows.train, validation: ctx.rows.validation },
    config: rc.config as Partial<PeplerConfig>,
    label: this.id,
    progress,
    onEpochEnd: async (e) => {
      progress.log(`split ${ctx.splitNo} seed ${seed} ${this.id} ${e.stage} epoch ${e.epoch + 1}: train ${e.trainLoss.toFixed(4)} val ${e.valLoss?.toFixed(4) ?? '-'}`);
      await rc.checkpoint?.onEpoch();
    },
    ...(rc.checkpoint ? { checkpointDir: rc.checkpoint.dir, resume: rc.checkpoint.resume } : {}),
    ...(rc.workers === undefined ? {} : { parallel: { workers: rc.workers } }),
  });
  try {
    const g0 = Date.now();
    const generated = await model.explainBatch(rc.pairs, { batchSize: 256 });
    const predicted = model.hasRatingHead ? model.predictRatingBatch(rc.pairs) : undefined;
    const generateSeconds = (Date.now() - g0) / 1000;
    await model.save(rc.modelDir);
    return {
      generated,
      ...(predicted ? { predicted } : {}),
      trainSeconds: report.seconds,
      generateSeconds,
      tokensPerSecond: report.tokensPerSecond,
      epochs: report.epochs,
      stages: report.stages,
      savedModel: true,
    };
  } finally {
    model.dispose();
  }
}

/** A PEPLER row of the bench: its registry entry, with the shared `run`. */
export function peplerMethod(spec: Omit<ExplainMethod, 'run' | 'config'> & { config: (profile: BenchProfile, seed: number) => Partial<PeplerConfig> }): ExplainMethod {
  const m: ExplainMethod = {
    ...spec,
    config: (profile, seed) => ({ ...spec.config(profile, seed) }),
    run: (rc) => runPepler.call(m, rc),
  };
  return m;
}
