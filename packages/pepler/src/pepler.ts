/**
 * PEPLER — Personalized Prompt Learning for Explainable Recommendation (Li, Zhang & Chen, ACM TOIS 2023;
 * reference code lileipisces/PEPLER). Four variants over one pre-trained language model:
 *
 * - PEPLER-D (`discrete`): prompt = the pair's feature words; the LM is fine-tuned (lr 1e-4).
 * - PEPLER (`continuous`): prefix [u; i] of two learned vectors of the model width; sequential tuning —
 *   stage 1 trains only u, i with the LM frozen, stage 2 trains u, i and the LM (or LoRA adapters, xrec's
 *   extension) — each stage with early stopping on validation loss.
 * - PEPLER-MF / PEPLER-MLP (`mf`, `mlp`): the continuous prompt plus a rating head on (u, i), trained in one
 *   stage on L = textReg · L_text + λ · MSE(r̂, r).
 *
 * The text loss is the mean cross-entropy over the explanation tokens `<bos> e <eos>` only.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, DataError, Rng, StateError, silentProgress, type Progress } from '@xrec/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainStages, type Stage, type StepContext } from '@xrec/transformer';
import { resolvePeplerConfig, type PeplerConfig } from './config.js';
import { EntityIndex } from './entity-index.js';
import { FeatureProfiles } from './feature-prompt.js';
import { batchesOf, type BatchShape, type PeplerBatch, type PeplerExample } from './batches.js';
import { peplerBatchLoss, peplerPrefix } from './batch-loss.js';
import { peplerDataParallel, peplerWorkers, stageVariables } from './replica.js';
import { MfHead, MlpHead, type RatingHead } from './rating-head.js';
import { decodeUntilEos, encodeText, specialIds, type SpecialIds, type TextCodec } from '@xrec/tokenizer';
import { truncateIds } from './tokens.js';
import { attachLora, type LoraHandle } from './lora-stage.js';
import { EntityPromptTable } from '@xrec/prompts';
import { readPepler, savePepler, type PeplerLoaders } from './pepler-io.js';
import { promptKinds, type PeplerEpochLog, type PeplerRecord, type PeplerStage, type PeplerStageReport, type PeplerState, type PeplerTrainOptions, type PeplerTrainReport, type UserItemPair, type PeplerLM } from './types.js';

function epochLog(stage: PeplerStage, e: { epoch: number; trainLoss: number; valLoss?: number }): PeplerEpochLog {
  return { stage, epoch: e.epoch, trainLoss: e.trainLoss, ...(e.valLoss === undefined ? {} : { valLoss: e.valLoss }) };
}

export class Pepler {
  readonly config: PeplerConfig;
  readonly lm: PeplerLM;
  readonly tokenizer: TextCodec;
  readonly users: EntityIndex;
  readonly items: EntityIndex;
  readonly features: FeatureProfiles;
  readonly ratingRange: { readonly min: number; readonly max: number };
  private readonly special: SpecialIds;
  private readonly tokenizerFile: string | undefined;
  private readonly prompts: EntityPromptTable | undefined;
  private readonly head: RatingHead | undefined;

  private constructor(s: PeplerState) {
    this.config = s.config;
    this.lm = s.lm;
    this.tokenizer = s.tokenizer;
    this.tokenizerFile = s.tokenizerFile;
    this.users = s.users;
    this.items = s.items;
    this.features = s.features;
    this.ratingRange = s.ratingRange;
    this.prompts = s.prompts;
    this.head = s.head;
    this.special = specialIds(s.tokenizer);
    if (s.lm.config.vocabSize < s.tokenizer.vocabSize) {
      throw new ConfigError(`pepler: tokenizer has ${s.tokenizer.vocabSize} tokens but the language model's vocabSize is ${s.lm.config.vocabSize}`);
    }
  }

  get variant(): PeplerConfig['variant'] {
    return this.config.variant;
  }

  /** Train a PEPLER model on one split. The LM is trained in place and becomes owned by the result. */
  static async train(opts: PeplerTrainOptions): Promise<{ model: Pepler; report: PeplerTrainReport }> {
    const config = resolvePeplerConfig(opts.config);
    const { records } = opts.data;
    const trainRows = Array.from(opts.data.train);
    if (trainRows.length === 0) throw new DataError('pepler.train: the training split is empty');
    const users = new EntityIndex('user');
    const items = new EntityIndex('item');
    const features = new FeatureProfiles();
    let rMin = Infinity;
    let rMax = -Infinity;
    for (const row of trainRows) {
      const r = records[row];
      if (!r) throw new DataError(`pepler.train: training row ${row} is past the end of the records (${records.length})`);
      users.add(r.user);
      items.add(r.item);
      features.add(r.user, r.item, r.feature);
      if (!Number.isFinite(r.rating)) throw new DataError(`pepler.train: record ${row} has a non-finite rating ${r.rating}`);
      rMin = Math.min(rMin, r.rating);
      rMax = Math.max(rMax, r.rating);
    }
    const rng = new Rng(config.seed);
    const d = opts.lm.config.dModel;
    const prefixVariant = config.variant !== 'discrete';
    let head: RatingHead | undefined;
    // uniform(-initRange, initRange) as the reference's `uniform_`, users then items from one stream
    const prompts = prefixVariant ? EntityPromptTable.create(promptKinds(users, items), d, { kind: 'uniform', range: config.initRange }, rng.fork('prompts')) : undefined;
    if (config.variant === 'mf') head = new MfHead();
    if (config.variant === 'mlp') head = new MlpHead(d, config.mlpHidden, config.mlpLayers, rng.fork('mlp'), config.initRange);
    const model = new Pepler({
      config,
      lm: opts.lm,
      tokenizer: opts.tokenizer,
      ...(opts.tokenizerFile === undefined ? {} : { tokenizerFile: opts.tokenizerFile }),
      users,
      items,
      features,
      ratingRange: { min: rMin, max: rMax },
      ...(prompts ? { prompts } : {}),
      ...(head ? { head } : {}),
    });
    const report = await model.fit(opts, trainRows, rng);
    return { model, report };
  }

  private shape(): BatchShape {
    return { bos: this.special.bos, eos: this.special.eos, pad: this.special.pad, prefix: this.config.variant !== 'discrete' };
  }

  /** Discrete prompt ids of a pair: feature words, cut to `promptTokens`. */
  promptIds(user: string, item: string): number[] {
    const words = this.features.promptFeatures(user, item).join(' ');
    return words === '' ? [] : encodeText(this.tokenizer, words, this.special).slice(0, this.config.promptTokens);
  }

  private example(r: PeplerRecord): PeplerExample {
    return {
      user: this.users.get(r.user),
      item: this.items.get(r.item),
      rating: r.rating,
      expl: truncateIds(this.tokenizer, r.sentence, this.config.words, this.special),
      prompt: this.config.variant === 'discrete' ? this.promptIds(r.user, r.item) : [],
    };
  }

  private async fit(opts: PeplerTrainOptions, trainRows: number[], rng: Rng): Promise<PeplerTrainReport> {
    const c = this.config;
    const progress = opts.progress ?? silentProgress;
    const label = opts.label ?? `pepler-${c.variant}`;
    const records = opts.data.records;
    const trainEx = trainRows.map((row) => this.example(records[row]!));
    const valEx: PeplerExample[] = [];
    let validationSkipped = 0;
    for (const row of Array.from(opts.data.validation)) {
      const r = records[row];
      if (!r) throw new DataError(`pepler.train: validation row ${row} is past the end of the records (${records.length})`);
      if (!this.users.has(r.user) || !this.items.has(r.item)) {
        validationSkipped++;
        continue;
      }
      valEx.push(this.example(r));
    }
    this.checkContext(trainEx.concat(valEx));
    const shape = this.shape();
    const valBatches = valEx.length > 0 ? batchesOf(valEx, c.batchSize, shape) : undefined;
    const lossParts = { lm: this.lm, prompts: this.prompts, head: this.head, config: c };
    const lossFn = (b: PeplerBatch, training: boolean, ctx: StepContext): tf.Scalar => peplerBatchLoss(lossParts, b, training, ctx.seed);
    const epochs: PeplerEpochLog[] = [];
    const stages: PeplerStageReport[] = [];
    const t0 = Date.now();
    let tokens = 0;

    const trainable = (m: ReadonlyMap<string, tf.Variable>) => [...m.values()].reduce((n, v) => n + v.size, 0);
    const info = new Map<string, { start: number; seconds: number; trainable: number; lr: number }>();
    const prompts = this.promptVariables();
    const workers = peplerWorkers(this.lm, c, opts.parallel);
    const snapshots = workers > 0 ? mkdtempSync(join(tmpdir(), 'xrec-pepler-dp-')) : undefined;
    const loraSeed = rng.fork('lora').uint32();
    const stage = (name: PeplerStage, variables: () => Map<string, tf.Variable>, lr: number, maxEpochs: number, hooks: Pick<Stage<PeplerBatch>, 'before' | 'after'> = {}): Stage<PeplerBatch> => ({
      name,
      variables: () => {
        const m = variables();
        info.get(name)!.trainable = trainable(m);
        return m;
      },
      config: { lr, epochs: maxEpochs, seed: rng.fork(`stage-${name}`).uint32() },
      options: {
        ...(c.promptLrScale !== 1 && prompts.size > 0 ? { groups: [{ name: 'prompts', variables: [...prompts.keys()], lrScale: c.promptLrScale }] } : {}),
        ...(snapshots
          ? { parallel: peplerDataParallel({ lmDir: join(snapshots, name), config: c, users: this.users.size, items: this.items.size, stage: name, loraSeed }, workers, opts.parallel?.verifyEvery) }
          : {}),
        onEpochEnd: async (e: { epoch: number; trainLoss: number; valLoss?: number }) => {
          await opts.onEpochEnd?.(epochLog(name, e));
        },
      },
      before: async () => {
        info.set(name, { start: Date.now(), seconds: 0, trainable: 0, lr });
        // the replicas rebuild the LM as it is now (before adapters are attached): frozen weights included
        if (snapshots) await this.lm.save(join(snapshots, name));
        await hooks.before?.();
      },
      after: async () => {
        info.get(name)!.seconds = (Date.now() - info.get(name)!.start) / 1000;
        await hooks.after?.();
      },
    });

    // PEPLER's sequential tuning as declarative stages (continuous: prompts only, then prompts + LM or LoRA)
    let lora: LoraHandle | undefined;
    const parts = () => ({ prompts, head: this.head?.variables() ?? new Map<string, tf.Variable>(), lm: this.lm.parameters(), lora: lora?.variables() ?? new Map<string, tf.Variable>() });
    const vars = (name: PeplerStage) => () => stageVariables(name, c.variant, parts());
    const plan: Stage<PeplerBatch>[] =
      c.variant === 'continuous'
        ? [
            stage('prompt', vars('prompt'), c.lr, c.stage1Epochs),
            c.stage2 === 'lora'
              ? stage('lora', vars('lora'), c.lr2, c.epochs, {
                  before: () => {
                    lora = attachLora(this.lm, { r: c.loraR, alpha: c.loraAlpha, seed: loraSeed });
                  },
                  after: () => {
                    lora?.mergeAndDetach();
                    lora = undefined;
                  },
                })
              : stage('full', vars('full'), c.lr2, c.epochs),
          ]
        : c.variant === 'discrete'
          ? [stage('full', vars('full'), c.lr, c.epochs)]
          : [stage('joint', vars('joint'), c.lr, c.epochs)];
    let results: Awaited<ReturnType<typeof trainStages<PeplerBatch>>>;
    try {
      results = await trainStages<PeplerBatch>(plan, {
        lossFn,
        trainBatches: (_epoch: number, r: Rng) => {
          const all = batchesOf(trainEx, c.batchSize, shape, r);
          return c.maxBatchesPerEpoch > 0 ? all.slice(0, c.maxBatchesPerEpoch) : all;
        },
        ...(valBatches ? { valBatches: () => valBatches } : {}),
        config: {
          weightDecay: c.weightDecay,
          betas: c.betas,
          eps: c.eps,
          clipNorm: c.clipNorm,
          warmupSteps: 0,
          schedule: 'constant',
          ...(valBatches && c.patience > 0 ? { patience: c.patience } : {}),
        },
        progress,
        label,
        ...(opts.checkpointDir ? { checkpointDir: opts.checkpointDir, resume: opts.resume ?? false } : {}),
      });
    } finally {
      if (snapshots) rmSync(snapshots, { recursive: true, force: true });
    }
    for (const { stage: name, result: res } of results) {
      // the trainer's history of the stage: complete also when the stage resumed from a checkpoint
      epochs.push(...res.epochs.map((e) => epochLog(name as PeplerStage, e)));
      const it = info.get(name)!;
      const epochsRun = res.epochs.length;
      tokens += res.tokensPerSecond * it.seconds;
      stages.push({
        stage: name as PeplerStage,
        lr: it.lr,
        epochs: epochsRun,
        bestEpoch: res.bestEpoch ?? epochsRun - 1,
        bestValLoss: res.bestValLoss ?? Number.NaN,
        stoppedEarly: res.stoppedEarly,
        tokensPerSecond: res.tokensPerSecond,
        seconds: it.seconds,
        trainableParameters: it.trainable,
      });
    }
    const seconds = (Date.now() - t0) / 1000;
    return {
      config: c,
      stages,
      epochs,
      seconds,
      tokensPerSecond: seconds > 0 ? tokens / seconds : 0,
      trainExamples: trainEx.length,
      validationExamples: valEx.length,
      validationSkipped,
    };
  }

  private checkContext(ex: readonly PeplerExample[]): void {
    let longest = 0;
    for (const e of ex) longest = Math.max(longest, e.prompt.length + e.expl.length + 2);
    const need = Math.max(longest, (this.config.variant === 'discrete' ? this.config.promptTokens : 0) + this.config.maxNewTokens + 1) + (this.config.variant === 'discrete' ? 0 : 2);
    if (need > this.lm.config.contextLength) {
      throw new ConfigError(`pepler: sequences need ${need} positions but the language model's contextLength is ${this.lm.config.contextLength} (lower words/promptTokens/maxNewTokens)`);
    }
  }

  /** The prompt variables (user/item embeddings), by name. */
  private promptVariables(): Map<string, tf.Variable> {
    return this.prompts?.variables() ?? new Map();
  }

  /** [B] indices -> prefix [B, 2, d] and the two [B, d] halves. */
  private prefixOf(users: Int32Array, items: Int32Array): { prefix: tf.Tensor3D; u: tf.Tensor2D; i: tf.Tensor2D } {
    if (!this.prompts) throw new StateError(`pepler: variant '${this.variant}' has no prompt embeddings`);
    return peplerPrefix(this.prompts, users, items);
  }

  /** Greedy explanation of one pair (at most `maxNewTokens` tokens, stopping at `<eos>`). */
  async explain(user: string, item: string): Promise<string> {
    const [out] = await this.explainBatch([{ user, item }]);
    return out!;
  }

  /** Greedy explanations of many pairs, `batchSize` at a time. Unseen users/items throw NotFoundError. */
  async explainBatch(pairs: readonly UserItemPair[], opts: { batchSize?: number; progress?: Progress } = {}): Promise<string[]> {
    const bs = opts.batchSize ?? this.config.batchSize;
    const idx = pairs.map((p) => ({ u: this.users.get(p.user), i: this.items.get(p.item), p }));
    const out: string[] = [];
    const task = (opts.progress ?? silentProgress).start(`explain ${this.variant}`, pairs.length);
    for (let s = 0; s < idx.length; s += bs) {
      const chunk = idx.slice(s, s + bs);
      const ids = await this.generateIds(chunk);
      for (const row of ids) out.push(decodeUntilEos(this.tokenizer, row, this.special));
      task.tick(chunk.length);
    }
    task.finish();
    return out;
  }

  private async generateIds(chunk: readonly { u: number; i: number; p: UserItemPair }[]): Promise<number[][]> {
    const bos = this.special.bos;
    const maxNewTokens = this.config.maxNewTokens;
    if (this.config.variant === 'discrete') {
      const prompts = chunk.map((c) => this.promptIds(c.p.user, c.p.item));
      const P = Math.max(...prompts.map((p) => p.length));
      // left-pad with <pad> to one length, as in training (attended like the reference's padded prompts)
      const rows = prompts.map((p) => [...new Array<number>(P - p.length).fill(this.special.pad), ...p, bos]);
      return await this.lm.generate({ prompts: rows, maxNewTokens, eosId: this.special.eos, greedy: true });
    }
    const prefix = tf.tidy(() => this.prefixOf(Int32Array.from(chunk.map((c) => c.u)), Int32Array.from(chunk.map((c) => c.i))).prefix);
    try {
      const rows = chunk.map(() => [bos]);
      return await this.lm.generate({ prompts: rows, prefix, maxNewTokens, eosId: this.special.eos, greedy: true });
    } finally {
      prefix.dispose();
    }
  }

  /** Whether this variant predicts ratings (MF, MLP). */
  get hasRatingHead(): boolean {
    return this.head !== undefined;
  }

  /** Predicted rating, clipped to the training rating range (as the reference's evaluation clips). */
  predictRating(user: string, item: string): number {
    return this.predictRatingBatch([{ user, item }])[0]!;
  }

  predictRatingBatch(pairs: readonly UserItemPair[]): number[] {
    const head = this.head;
    if (!head) throw new StateError(`pepler: variant '${this.variant}' has no rating head (use 'mf' or 'mlp' to predict ratings)`);
    const users = Int32Array.from(pairs.map((p) => this.users.get(p.user)));
    const items = Int32Array.from(pairs.map((p) => this.items.get(p.item)));
    const r = tf.tidy(() => {
      const { u, i } = this.prefixOf(users, items);
      return head.predict(u, i);
    });
    const v = Array.from(r.dataSync());
    r.dispose();
    return v.map((x) => Math.min(this.ratingRange.max, Math.max(this.ratingRange.min, x)));
  }

  /** The reference explanation as PEPLER sees it: the first `words` tokens, decoded. */
  referenceText(sentence: string): string {
    return this.tokenizer.decode(truncateIds(this.tokenizer, sentence, this.config.words, this.special)).trim();
  }

  /** Write the model to `dir`: `lm/` (the language model), `prompts.safetensors`, `pepler.json`, the tokenizer. */
  async save(dir: string): Promise<void> {
    await savePepler(dir, {
      lm: this.lm,
      variant: this.variant,
      config: this.config,
      ...(this.tokenizerFile ? { tokenizerFile: this.tokenizerFile } : {}),
      tensors: new Map([...this.promptVariables(), ...(this.head?.variables() ?? [])]),
      ratingRange: this.ratingRange,
      users: this.users,
      items: this.items,
      features: this.features,
    });
  }

  /**
   * Load a saved model. `loaders` supplies the LM and tokenizer readers (from `@xrec/transformer` and
   * `@xrec/tokenizer`); `tokenizer` overrides the saved tokenizer file.
   */
  static async load(dir: string, loaders: PeplerLoaders): Promise<Pepler> {
    return new Pepler(await readPepler(dir, loaders));
  }

  /** Release the prompt variables, the rating head and the LM. */
  dispose(): void {
    this.prompts?.dispose();
    this.head?.dispose();
    this.lm.dispose();
  }
}
