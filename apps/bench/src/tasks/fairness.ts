/**
 * The fairness task (UP5): on Insurance (sequential, UP5's protocol) or MovieLens-100K (leave-one-out) a P5 is
 * trained once (reused from `<out>/p5` when an earlier run trained it with the same settings; other settings are
 * an error, never a silent reuse), then per sensitive attribute a counterfactually-fair prompt
 * is trained on the frozen P5 to hide it (by default a kernel MMD between the attribute's classes; or against a
 * discriminator, UP5's game). Each row — the unfair P5, each single-attribute prompt,
 * the prompt mixture on every attribute pair and the full set, and two baselines per attribute (adversarial
 * fine-tuning of the whole P5; INLP, the attribute's linear directions projected out of the encoder states) —
 * gets a fresh attacker's ROC-AUC per attribute on the attacker user splits (0.5 is fair) and hit@k / NDCG@k on
 * the test users. Options (checked in `fairness-options.ts`): `dataset` (insurance | ml-100k), `attributes`
 * (default all of the dataset's), `profile` (smoke | quick | full), `seed`, `lambda` (default 4), `mixtureLambda`
 * and `mixtureLr` (the mixture's; default `lambda` and 1e-3), `mixtureInit` (identity, the default, or UP5's
 * xavier: how the mixing attention's value and output maps start), `mixtureKeep` (the mixture's keep terms'
 * weight; default 0, UP5's is 1), `tokens` (prompt length, default 10), `lr` (the prompts' learning rate) and
 * `discriminatorLr` (3e-3 and 3e-4;
 * UP5's are 1e-3 and 1e-4), `adversary` (mmd, the default — no discriminator, a kernel penalty between the
 * classes — or UP5's negative-ce, or confusion; see the README for the measured comparison), `confusionTarget` (what confusion matches:
 * the class prior of the training examples, the default, or uniform), `pretrain` (epochs of discriminator
 * pre-training on the unprompted representations) and `epochs` (of the adversarial trainings; both default to the
 * profile's), `mixture` and `baselines` (default true), `dropout` (the P5's in training; default `P5_DROPOUT`: 0,
 * 0.1 in the full profile), `workers`.
 * Writes report.md, report.json (with every attacker's AUC), tradeoff.svg (AUC and hit@5 per method) and the
 * representations every AUC was computed from, and keeps the model: `p5/`, the prompts and attackers
 * (`up5.json`, `up5.safetensors`) and `users.json` (each attacker user's history and attributes) — what
 * `xrec up5 recommend`, `xrec up5 audit` and the playground load.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, float32ToTensor, Rng, saveSafetensors, writeFileAtomic } from '@xrec/core';
import { evaluateRanker, P5Recommender, p5Template, REC_METRICS, trainP5, trainP5Tokenizer } from '@xrec/p5';
import { initBackend, type T5Prefix } from '@xrec/transformer';
import {
  concatenatedPrompts,
  Discriminator,
  encodeUserRows,
  FairPrefix,
  fitNullspaceProjection,
  PromptMixture,
  saveUp5Prompts,
  trainAdversarialP5,
  trainFairPrefix,
  trainPromptMixture,
  representationArray,
  type LinearProjection,
  type Up5Attribute,
} from '@xrec/up5';
import { attackRow, attributeClasses, pickUsers, type AttackerSplit } from '../fairness-attack.js';
import { loadFairnessData } from './fairness-data.js';
import { parseFairnessOptions } from './fairness-options.js';
import { subsetName, writeFairnessReport, type Row, type RowKind } from './fairness-report.js';
import { P5_EMBEDDING_LR_SCALE } from './rec-data.js';
import { registerBenchTask } from './registry.js';

/** The attackers' training settings (also recorded in representations.json for `xrec up5 audit`). */
const ATTACKER = { epochs: 20, lr: 1e-3 } as const;

/** How a row's model is steered: its P5 (a fine-tuned copy or the frozen one), a prompt, a projection. */
interface Steer {
  readonly rec?: P5Recommender;
  readonly prefix?: () => T5Prefix;
  readonly projection?: LinearProjection;
}

registerBenchTask({
  id: 'fairness',
  label: 'Fairness-aware recommendation (UP5)',
  description: 'counterfactually-fair prompts on a frozen P5 (Insurance or MovieLens-100K): a fresh attacker’s ROC-AUC per attribute (0.5 = fair) and hit@k with the prompt on, beside adversarial fine-tuning and linear projection',
  metrics: ['auc', ...REC_METRICS],
  async run(ctx) {
    const o = parseFairnessOptions(ctx.options);
    const { dataset, attributes, profile, p, seed, lambda, tokens, lr, discriminatorLr, adversary, confusionTarget, pretrain, epochs, dropout, workers } = o;
    const parallel = workers === undefined ? {} : { parallel: { workers } };
    const data = loadFairnessData(dataset, attributes, seed, p.attackerUsers, ctx.dataDir);
    const { splits } = data;
    await initBackend();
    await mkdir(ctx.out, { recursive: true });
    const rng = new Rng(seed).fork('fairness');
    const train = p.p5Examples >= data.rec.splits.train.length ? data.rec.splits.train : rng.shuffle([...data.rec.splits.train]).slice(0, p.p5Examples);
    const test = data.rec.splits.test.slice(0, Number.isFinite(p.testExamples) ? p.testExamples : undefined);
    const labelOf = Object.fromEntries(attributes.map((a) => [a, new Map([...splits[a]!.train])]));
    const classesOf = Object.fromEntries(attributes.map((a) => [a, data.classNames[a]?.length ?? attributeClasses([...splits[a]!.train, ...splits[a]!.test].map(([, v]) => v))]));
    // the P5 model (trained once)
    const p5Dir = join(ctx.out, 'p5');
    // what the P5 depends on: reused only when an earlier run trained it with the same settings
    const p5Settings = JSON.stringify({ dataset, seed, model: p.model, epochs: p.p5Epochs, trainExamples: train.length, embeddingLrScale: P5_EMBEDDING_LR_SCALE[dataset], dropout, vocab: 800 });
    const settingsFile = join(p5Dir, 'fairness-p5-settings.json');
    let rec: P5Recommender;
    if (existsSync(join(p5Dir, 'p5.json'))) {
      const was = existsSync(settingsFile) ? readFileSync(settingsFile, 'utf8') : undefined;
      if (was !== undefined && was !== p5Settings) {
        throw new ConfigError(`bench task 'fairness': ${p5Dir} holds a P5 trained with other settings (${was}; this run: ${p5Settings}): use a new --out, or move that folder away`);
      }
      rec = await P5Recommender.load(p5Dir);
      ctx.progress.log(`fairness: reusing the P5 in ${p5Dir}${was === undefined ? ' (trained by an earlier xrec that did not record its settings)' : ''}`);
    } else {
      const tmpl = p5Template('sequential', data.rec.domain);
      const tok = trainP5Tokenizer(train.flatMap((e) => [tmpl.source(e), ` ${e.target}`]).concat(data.rec.catalogue.map((i) => ` ${i}`)), 800);
      rec = P5Recommender.create(tok, data.rec.catalogue, { task: 'sequential', domain: data.rec.domain }, { ...p.model, dropout }, seed);
      await trainP5(rec, { train, validation: data.rec.splits.validation.slice(0, 500), batchSize: 64, embeddingLrScale: P5_EMBEDDING_LR_SCALE[dataset], config: { epochs: p.p5Epochs, lr: 3e-3, warmupSteps: 100, patience: 2, seed }, progress: ctx.progress, ...parallel });
      await rec.save(p5Dir);
      await writeFileAtomic(settingsFile, p5Settings);
    }
    const d = rec.model.config.dModel;
    // every attacker user's prompt, encoded once; their representations are recomputed per row
    const everyone = [...new Set(attributes.flatMap((a) => [...splits[a]!.train, ...splits[a]!.test].map(([u]) => u)))];
    const everyoneRows = encodeUserRows(rec, everyone.map((u) => data.userExample(u)));
    const reps = (s: Steer): Float32Array => {
      const out = representationArray(s.rec ?? rec, everyoneRows, s.prefix);
      return s.projection ? s.projection.project(out) : out;
    };
    const at = new Map(everyone.map((u, i) => [u, i]));
    // every row's user representations, written beside the report so its AUCs can be recomputed (xrec up5 audit)
    const saved: Float32Array[] = [];
    // the trained attackers kept for the saved model: per attribute, on the unprompted and on its prompt's representations
    const kept = new Map<string, { unfair?: Discriminator; fair?: Discriminator }>(attributes.map((a) => [a, {}]));
    const evaluate = (method: string, kind: RowKind, hidden: readonly string[], s: Steer, trainSeconds?: number): Row => {
      const auc: Record<string, number> = {};
      const hardAuc: Record<string, number> = {};
      const all = reps(s);
      saved.push(all);
      const promptOf = kind === 'prompt' ? hidden[0] : undefined;
      const attacked = attackRow(all, at, d, splits, { ...ATTACKER, seed }, (a) => kind === 'unfair' || promptOf === a);
      for (const [a, r] of Object.entries(attacked)) {
        if (r.attacker) kept.get(a)![kind === 'unfair' ? 'unfair' : 'fair'] = r.attacker;
        auc[a] = r.auc;
        if (r.hardAuc !== undefined) hardAuc[a] = r.hardAuc;
      }
      const model = s.rec ?? rec;
      const edit = s.projection ? (e: tf.Tensor2D) => s.projection!.projectTensor(e) : undefined;
      const metrics = evaluateRanker(test, (ex) => tf.tidy(() => model.rank(ex, 20, s.prefix?.(), edit)), ctx.progress, `${method}: ranking`).metrics;
      return { method, kind, hidden, auc, hardAuc, metrics, ...(trainSeconds !== undefined ? { trainSeconds } : {}) };
    };
    const rows: Row[] = [];
    const prompts: FairPrefix[] = [];
    const withMixture = o.mixture && attributes.length >= 2;
    const withBaselines = o.baselines;
    const subsets = withMixture ? [...attributes.flatMap((a, i) => attributes.slice(i + 1).map((b) => [a, b])), ...(attributes.length > 2 ? [attributes] : [])] : [];
    const schedule = { train, lambda, adversary, confusionTarget, discriminatorLr, epochs, examplesPerEpoch: p.cfpExamples, batchSize: 64, pretrainDiscriminatorEpochs: pretrain, seed, progress: ctx.progress, ...parallel };
    let mixture: PromptMixture | undefined;
    const bar = ctx.progress.start(`fairness ${dataset} ${profile}`, 1 + attributes.length * (withBaselines ? 3 : 1) + 2 * subsets.length);
    try {
      rows.push(evaluate('P5 (no prompt, unfair)', 'unfair', [], {}));
      const unfairReps = saved[0]!;
      bar.tick(1);
      for (const a of attributes) {
        const prefix = FairPrefix.create(a, rec.model.config, { tokens }, new Rng(seed).fork(`cfp-${a}`));
        const disc = new Discriminator(d, classesOf[a]!, new Rng(seed).fork(`disc-${a}`));
        const t0 = performance.now();
        try {
          await trainFairPrefix(rec, prefix, disc, { ...schedule, labelOf: (u) => labelOf[a]!.get(u), lr });
        } finally {
          disc.dispose();
        }
        rows.push(evaluate(`CFP prompt: ${a}`, 'prompt', [a], { prefix: () => prefix.prefix() }, (performance.now() - t0) / 1000));
        prompts.push(prefix);
        bar.tick(1, { attribute: a });
      }
      if (withMixture) {
        // UP5's prompt mixture over the frozen single prompts, trained once on random attribute subsets
        mixture = new PromptMixture(rec.model.config, { tokens, ...(o.mixtureInit === 'identity' ? { identityValues: true } : {}) }, new Rng(seed).fork('mixture'));
        const discs = attributes.map((a) => new Discriminator(d, classesOf[a]!, new Rng(seed).fork(`mixture-disc-${a}`)));
        const t0 = performance.now();
        try {
          await trainPromptMixture(rec, mixture, prompts, discs, { ...schedule, lambda: o.mixtureLambda, labelOf: (a, u) => labelOf[a]!.get(u), lr: o.mixtureLr, keepWeight: o.mixtureKeep });
        } finally {
          for (const x of discs) x.dispose();
        }
        const mixSeconds = (performance.now() - t0) / 1000;
        const picks = subsets.map((sub) => ({ sub, name: subsetName(sub, attributes), chosen: sub.map((a) => prompts[attributes.indexOf(a)]!) }));
        for (const { sub, name, chosen } of picks) {
          const m = mixture;
          rows.push(evaluate(`Mixture: ${name}`, 'mixture', sub, { prefix: () => m.prefix(chosen) }, sub === subsets[0] ? mixSeconds : undefined));
          bar.tick(1, { mixture: sub.join('+') });
        }
        // baseline: the same subsets with the selected prompts side by side, untrained (UP5's concatenation)
        for (const { sub, name, chosen } of picks) {
          rows.push(evaluate(`Concatenated prompts: ${name}`, 'concatenation', sub, { prefix: () => concatenatedPrompts(chosen) }));
          bar.tick(1, { concatenation: sub.join('+') });
        }
      }
      if (withBaselines) {
        for (const a of attributes) {
          // adversarial fine-tuning: every weight of a copy of the P5 against a discriminator, same schedule, the P5's learning rate
          const copy = await P5Recommender.load(p5Dir);
          const disc = new Discriminator(d, classesOf[a]!, new Rng(seed).fork(`adv-disc-${a}`));
          try {
            const t0 = performance.now();
            await trainAdversarialP5(copy, disc, { ...schedule, labelOf: (u) => labelOf[a]!.get(u), lr: 1e-3 });
            rows.push(evaluate(`Adversarial fine-tuning: ${a}`, 'adversarial fine-tuning', [a], { rec: copy }, (performance.now() - t0) / 1000));
          } finally {
            disc.dispose();
            copy.dispose();
          }
          bar.tick(1, { baseline: `adversarial ${a}` });
          // INLP on the unfair P5's representations of the attacker-training users
          const t0 = performance.now();
          const sp = splits[a]!;
          const projection = fitNullspaceProjection(pickUsers(unfairReps, at, d, sp.train), sp.train.map(([, v]) => v), { dModel: d, classes: classesOf[a]!, iterations: 10, seed });
          rows.push(evaluate(`Linear projection (INLP, ${projection.rank} directions): ${a}`, 'linear projection', [a], { projection }, (performance.now() - t0) / 1000));
          bar.tick(1, { baseline: `projection ${a}` });
        }
      }
      await writeRepresentations(ctx.out, { users: everyone, methods: rows.map((r) => r.method), dModel: d, reps: saved, splits: Object.fromEntries(attributes.map((a) => [a, splits[a]!])), seed });
      const up5Attributes: Up5Attribute[] = prompts.map((prompt) => {
        const k = kept.get(prompt.attribute)!;
        const names = data.classNames[prompt.attribute];
        return { attribute: prompt.attribute, classes: k.unfair!.classes, ...(names ? { labels: names } : {}), prompt, attackers: { unfair: k.unfair!, fair: k.fair! } };
      });
      await saveUp5Prompts(ctx.out, up5Attributes, mixture);
      const truth = attributes.map((a) => [a, new Map([...splits[a]!.train, ...splits[a]!.test])] as const);
      const users = Object.fromEntries(everyone.map((u) => [u, { history: data.userExample(u).history, attributes: Object.fromEntries(truth.filter(([, m]) => m.has(u)).map(([a, m]) => [a, m.get(u)!])) }]));
      await writeFileAtomic(join(ctx.out, 'users.json'), `${JSON.stringify({ format: 'xrec-up5-users', version: 1, dataset, users })}\n`);
    } finally {
      bar.finish();
      for (const x of prompts) x.dispose();
      mixture?.dispose();
      for (const k of kept.values()) for (const x of Object.values(k)) x?.dispose();
      rec.dispose();
    }
    return writeFairnessReport(ctx.out, {
      dataset,
      profile,
      seed,
      lambda,
      mixtureLambda: o.mixtureLambda,
      mixtureKeep: o.mixtureKeep,
      mixtureInit: o.mixtureInit,
      mixtureLr: o.mixtureLr,
      tokens,
      lr,
      discriminatorLr,
      dropout,
      adversary,
      confusionTarget,
      pretrain,
      epochs,
      examplesPerEpoch: p.cfpExamples,
      attributes,
      classes: classesOf,
      rows,
      attackerUsers: Object.fromEntries(attributes.map((a) => [a, { train: splits[a]!.train.length, test: splits[a]!.test.length }])),
      testExamples: test.length,
    });
  },
});

/** representations.safetensors (one [users, d] tensor per row, `row<i>`) and representations.json (users, rows, attacker splits and settings). */
async function writeRepresentations(out: string, r: { users: readonly string[]; methods: readonly string[]; dModel: number; reps: readonly Float32Array[]; splits: Record<string, AttackerSplit>; seed: number }) {
  await saveSafetensors(join(out, 'representations.safetensors'), r.reps.map((x, i) => [`row${i}`, float32ToTensor(x, [r.users.length, r.dModel])] as const), { format: 'xrec-fairness-representations' });
  await writeFileAtomic(join(out, 'representations.json'), `${JSON.stringify({ format: 'xrec-fairness-representations', version: 1, users: r.users, methods: r.methods, dModel: r.dModel, attacker: { ...ATTACKER, seed: r.seed }, splits: r.splits })}\n`);
}

