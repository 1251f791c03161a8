/**
 * The fairness task (UP5): on Insurance (sequential, UP5's protocol) or MovieLens-100K (leave-one-out) a P5 is
 * trained once (reused from `<out>/p5` when an earlier run trained it with the same settings; other settings are
 * an error, never a silent reuse), then per sensitive attribute a counterfactually-fair prompt
 * is trained on the frozen P5 against a discriminator. Each row — the unfair P5, each single-attribute prompt,
 * the prompt mixture on every attribute pair and the full set, and two baselines per attribute (adversarial
 * fine-tuning of the whole P5; INLP, the attribute's linear directions projected out of the encoder states) —
 * gets a fresh attacker's ROC-AUC per attribute on the attacker user splits (0.5 is fair) and hit@k / NDCG@k on
 * the test users. Options: `dataset` (insurance | ml-100k), `attributes` (default all of the dataset's),
 * `profile` (smoke | quick | full), `seed`, `lambda` (default 2), `tokens` (prompt length, default 10), `lr` (the
 * prompt's and discriminator's learning rate, default 1e-2), `adversary` (confusion, the default, or UP5's
 * negative-ce, or mmd — no discriminator, a kernel penalty between the classes; see the README for the measured
 * comparison), `confusionTarget` (what confusion matches: the class
 * prior of the training examples, the default, or uniform),
 * `pretrain` (epochs of discriminator pre-training on the unprompted representations) and `epochs` (of the
 * adversarial trainings; both default to the profile's),
 * `mixture` and `baselines` (default true), `dropout` (the P5's in training; default `P5_DROPOUT`: 0, 0.1 in the full profile).
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
import { evaluateRanker, P5Recommender, p5Template, REC_METRICS, trainP5, trainP5Tokenizer, type RecMetrics } from '@xrec/p5';
import { initBackend, type T5Prefix } from '@xrec/transformer';
import {
  ADVERSARY_OBJECTIVES,
  CONFUSION_TARGETS,
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
  type AdversaryObjective,
  type ConfusionTarget,
  type LinearProjection,
  type Up5Attribute,
} from '@xrec/up5';
import { attackRow, attributeClasses, pickUsers, type AttackerSplit } from '../fairness-attack.js';
import { scatterChartSvg } from '../svg.js';
import { FAIRNESS_ATTRIBUTES, loadFairnessData } from './fairness-data.js';
import { P5_DROPOUT, P5_EMBEDDING_LR_SCALE, type RecDataset } from './rec-data.js';
import { registerBenchTask } from './registry.js';
import { writeTaskReport } from './write-report.js';

/** The attackers' training settings (also recorded in representations.json for `xrec up5 audit`). */
const ATTACKER = { epochs: 20, lr: 1e-3 } as const;

interface Profile {
  readonly p5Examples: number;
  readonly p5Epochs: number;
  readonly cfpExamples: number;
  readonly cfpEpochs: number;
  /** Epochs of discriminator pre-training on the unprompted representations. */
  readonly pretrain: number;
  readonly attackerUsers: number;
  readonly testExamples: number;
  readonly model: { dModel: number; nHeads: number; nLayers: number; dFF: number };
}

const PROFILES: Readonly<Record<string, Profile>> = {
  smoke: { p5Examples: 600, p5Epochs: 1, cfpExamples: 128, cfpEpochs: 1, pretrain: 1, attackerUsers: 400, testExamples: 60, model: { dModel: 32, nHeads: 2, nLayers: 1, dFF: 64 } },
  quick: { p5Examples: 29766, p5Epochs: 3, cfpExamples: 4000, cfpEpochs: 4, pretrain: 10, attackerUsers: 6000, testExamples: 500, model: { dModel: 64, nHeads: 4, nLayers: 2, dFF: 256 } },
  full: { p5Examples: 29766, p5Epochs: 10, cfpExamples: 29766, cfpEpochs: 3, pretrain: 20, attackerUsers: Number.POSITIVE_INFINITY, testExamples: 2913, model: { dModel: 128, nHeads: 4, nLayers: 3, dFF: 512 } },
};

/** MovieLens-100K has 943 users: every one is a test user and an attacker user beyond the smoke profile. */
const profileFor = (dataset: RecDataset, p: Profile): Profile => (dataset === 'ml-100k' && p !== PROFILES.smoke ? { ...p, testExamples: Number.POSITIVE_INFINITY, attackerUsers: Number.POSITIVE_INFINITY } : p);

type RowKind = 'unfair' | 'prompt' | 'mixture' | 'adversarial fine-tuning' | 'linear projection';

interface Row {
  readonly method: string;
  readonly kind: RowKind;
  /** The attributes the row hides (none for the unfair P5). */
  readonly hidden: readonly string[];
  readonly auc: Record<string, number>;
  readonly hardAuc: Record<string, number>;
  readonly metrics: RecMetrics;
  readonly trainSeconds?: number;
}

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
    const known = ['dataset', 'attributes', 'profile', 'seed', 'lambda', 'tokens', 'lr', 'adversary', 'confusionTarget', 'pretrain', 'epochs', 'mixture', 'baselines', 'dropout', 'workers'];
    const unknown = Object.keys(ctx.options).filter((k) => !known.includes(k));
    if (unknown.length) throw new ConfigError(`bench task 'fairness': unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${known.join(', ')})`);
    const dataset = String(ctx.options.dataset ?? 'insurance') as RecDataset;
    if (dataset !== 'insurance' && dataset !== 'ml-100k') throw new ConfigError(`bench task 'fairness': dataset must be insurance or ml-100k, got '${dataset}'`);
    const attributes = (ctx.options.attributes as string[] | undefined) ?? [...FAIRNESS_ATTRIBUTES[dataset]];
    if (attributes.length === 0) throw new ConfigError(`bench task 'fairness': no attribute given (${dataset}: ${FAIRNESS_ATTRIBUTES[dataset].join(', ')})`);
    const profile = String(ctx.options.profile ?? 'quick');
    const base = PROFILES[profile];
    if (!base) throw new ConfigError(`bench task 'fairness': profile must be smoke, quick or full, got '${profile}'`);
    const p = profileFor(dataset, base);
    const seed = Number(ctx.options.seed ?? 0);
    const lambda = Number(ctx.options.lambda ?? 2);
    const tokens = Number(ctx.options.tokens ?? 10);
    const lr = Number(ctx.options.lr ?? 1e-2);
    const adversary = String(ctx.options.adversary ?? 'confusion') as AdversaryObjective;
    const confusionTarget = String(ctx.options.confusionTarget ?? 'prior') as ConfusionTarget;
    if (!CONFUSION_TARGETS.includes(confusionTarget)) throw new ConfigError(`bench task 'fairness': confusionTarget must be ${CONFUSION_TARGETS.join(' or ')}, got '${confusionTarget}'`);
    const pretrain = Number(ctx.options.pretrain ?? p.pretrain);
    const epochs = Number(ctx.options.epochs ?? p.cfpEpochs);
    if (!(lr > 0)) throw new ConfigError(`bench task 'fairness': lr must be > 0, got ${String(ctx.options.lr)}`);
    if (!Number.isInteger(seed) || seed < 0) throw new ConfigError(`bench task 'fairness': seed must be a non-negative integer, got ${String(ctx.options.seed)}`);
    if (!(lambda >= 0)) throw new ConfigError(`bench task 'fairness': lambda must be ≥ 0, got ${String(ctx.options.lambda)}`);
    if (!Number.isInteger(tokens) || tokens < 1) throw new ConfigError(`bench task 'fairness': tokens must be a positive integer, got ${String(ctx.options.tokens)}`);
    if (!ADVERSARY_OBJECTIVES.includes(adversary)) throw new ConfigError(`bench task 'fairness': adversary must be ${ADVERSARY_OBJECTIVES.join(' or ')}, got '${adversary}'`);
    if (!Number.isInteger(epochs) || epochs < 1) throw new ConfigError(`bench task 'fairness': epochs must be a positive integer, got ${String(ctx.options.epochs)}`);
    const dropout = Number(ctx.options.dropout ?? P5_DROPOUT[profile]);
    if (!(dropout >= 0 && dropout < 1)) throw new ConfigError(`bench task 'fairness': dropout must be a number in [0, 1), got ${String(ctx.options.dropout)}`);
    if (!Number.isInteger(pretrain) || pretrain < 0) throw new ConfigError(`bench task 'fairness': pretrain must be a non-negative integer, got ${String(ctx.options.pretrain)}`);
    const workers = ctx.options.workers as number | 'auto' | undefined;
    if (workers !== undefined && workers !== 'auto' && !(typeof workers === 'number' && Number.isInteger(workers) && workers >= 0)) {
      throw new ConfigError(`bench task 'fairness': workers must be a non-negative integer or 'auto', got ${JSON.stringify(workers)}`);
    }
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
    const withMixture = ctx.options.mixture !== false && attributes.length >= 2;
    const withBaselines = ctx.options.baselines !== false;
    const subsets = withMixture ? [...attributes.flatMap((a, i) => attributes.slice(i + 1).map((b) => [a, b])), ...(attributes.length > 2 ? [attributes] : [])] : [];
    const schedule = { train, lambda, adversary, confusionTarget, epochs, examplesPerEpoch: p.cfpExamples, batchSize: 64, pretrainDiscriminatorEpochs: pretrain, seed, progress: ctx.progress, ...parallel };
    let mixture: PromptMixture | undefined;
    const bar = ctx.progress.start(`fairness ${dataset} ${profile}`, 1 + attributes.length * (withBaselines ? 3 : 1) + subsets.length);
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
        mixture = new PromptMixture(rec.model.config, { tokens }, new Rng(seed).fork('mixture'));
        const discs = attributes.map((a) => new Discriminator(d, classesOf[a]!, new Rng(seed).fork(`mixture-disc-${a}`)));
        const t0 = performance.now();
        try {
          await trainPromptMixture(rec, mixture, prompts, discs, { ...schedule, labelOf: (a, u) => labelOf[a]!.get(u), lr });
        } finally {
          for (const x of discs) x.dispose();
        }
        const mixSeconds = (performance.now() - t0) / 1000;
        for (const sub of subsets) {
          const m = mixture;
          const chosen = sub.map((a) => prompts[attributes.indexOf(a)]!);
          rows.push(evaluate(`Mixture: ${sub.length === attributes.length && sub.length > 2 ? 'all' : sub.join(' + ')}`, 'mixture', sub, { prefix: () => m.prefix(chosen) }, sub === subsets[0] ? mixSeconds : undefined));
          bar.tick(1, { mixture: sub.join('+') });
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
    return writeReport(ctx.out, {
      dataset,
      profile,
      seed,
      lambda,
      tokens,
      lr,
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

interface ReportInput {
  readonly dataset: RecDataset;
  readonly profile: string;
  readonly seed: number;
  readonly lambda: number;
  readonly tokens: number;
  readonly lr: number;
  /** The P5's dropout in training. */
  readonly dropout: number;
  readonly adversary: AdversaryObjective;
  readonly confusionTarget: ConfusionTarget;
  readonly pretrain: number;
  readonly epochs: number;
  readonly examplesPerEpoch: number;
  readonly attributes: readonly string[];
  readonly classes: Record<string, number>;
  readonly rows: readonly Row[];
  readonly attackerUsers: Record<string, { train: number; test: number }>;
  readonly testExamples: number;
}

/** The issue's target for one attribute a row hides: attacker AUC within 0.03 of 0.5 with hit@5 within 5% of the unfair P5. */
function target(row: Row, unfair: Row, a: string) {
  const gap = Math.abs(row.auc[a]! - 0.5);
  const drop = 1 - row.metrics['hit@5'] / unfair.metrics['hit@5'];
  return { name: `${row.hidden.length > 1 || row.kind !== 'prompt' ? `${row.method}, ${a}` : a}: attacker AUC within 0.03 of 0.5 with hit@5 within 5% of the unfair P5`, pass: gap <= 0.03 && drop <= 0.05, auc: row.auc[a]!, unfairAuc: unfair.auc[a]!, hitDrop: drop };
}

async function writeReport(out: string, r: ReportInput) {
  const unfair = r.rows[0]!;
  const measure = (kinds: readonly RowKind[]) => r.rows.filter((row) => kinds.includes(row.kind)).flatMap((row) => row.hidden.map((a) => target(row, unfair, a)));
  const goals = measure(['prompt', 'mixture']);
  const baselines = measure(['adversarial fine-tuning', 'linear projection']);
  // the leak must be real for the prompts to mean anything
  const leaks = r.attributes.map((a) => ({ name: `${a}: the unfair P5 leaks it (attacker AUC above 0.55)`, pass: Math.abs(unfair.auc[a]! - 0.5) > 0.05, auc: unfair.auc[a]! }));
  const f = (v: number | undefined) => (v === undefined ? '' : v.toFixed(4));
  const line = (kind: string, g: ReturnType<typeof target>) => {
    const outside = Math.abs(g.auc - 0.5) - 0.03;
    const why = g.pass ? '' : ` — ${[...(outside > 0 ? [`AUC ${outside.toFixed(4)} outside the band`] : []), ...(g.hitDrop > 0.05 ? [`hit@5 ${(100 * (g.hitDrop - 0.05)).toFixed(1)} points past the 5% drop`] : [])].join(', ')}`;
    return `${kind}: ${g.name}: **${g.pass ? 'PASS' : 'FAIL'}** (AUC ${g.auc.toFixed(4)}, unfair ${g.unfairAuc.toFixed(4)}; hit@5 ${g.hitDrop >= 0 ? 'down' : 'up'} ${(100 * Math.abs(g.hitDrop)).toFixed(1)}%${why}).`;
  };
  const name = r.dataset === 'insurance' ? 'Insurance, sequential' : 'MovieLens-100K, sequential (leave-one-out)';
  const md = [
    `# Fairness-aware recommendation (UP5): ${name} (${r.profile}, seed ${r.seed})`,
    '',
    `A P5 trained here (embedding tables' learning rate ×${P5_EMBEDDING_LR_SCALE[r.dataset]}, dropout ${r.dropout}; frozen afterwards); one counterfactually-fair prompt per attribute (${r.tokens} tokens in every encoder, decoder and cross-attention layer, λ = ${r.lambda}, adversary ${adversaryWords(r)}, then ${r.epochs} epoch(s) of ${r.examplesPerEpoch} examples, one prompt${r.adversary === 'mmd' ? '' : ' and one discriminator'} update per batch of 64, lr ${r.lr}); attackers: a fresh discriminator trained on the user representations of the attacker-training users, ROC-AUC (macro one-vs-one for multi-class) on the attacker-test users (${r.attributes.map((a) => `${a} (${r.classes[a]} classes): ${r.attackerUsers[a]!.train}/${r.attackerUsers[a]!.test}`).join(', ')}); 0.5 is fair. Ranking: ${r.testExamples} test users, 20 beams. Mixture rows: UP5's prompt mixture (learned attention over the frozen single prompts, trained once on random attribute subsets). Baselines: adversarial fine-tuning of every P5 weight on a copy (same objective and schedule, lr 1e-3), and INLP — the attribute's linear classifier directions, fitted on the unfair representations of the attacker-training users, projected out of every encoder state.`,
    '',
    `| Method | ${r.attributes.map((a) => `AUC ${a}`).join(' | ')} | ${REC_METRICS.join(' | ')} | train s |`,
    `|---|${r.attributes.map(() => '---').join('|')}|${REC_METRICS.map(() => '---').join('|')}|---|`,
    ...r.rows.map((row) => `| ${row.method} | ${r.attributes.map((a) => f(row.auc[a])).join(' | ')} | ${REC_METRICS.map((k) => f(row.metrics[k])).join(' | ')} | ${row.trainSeconds?.toFixed(1) ?? ''} |`),
    '',
    ...(r.rows.some((row) => Object.keys(row.hardAuc).length)
      ? [`OtPrFairness' folded hard-prediction AUC (binary attributes): ${r.rows.map((row) => `${row.method}: ${Object.entries(row.hardAuc).map(([a, v]) => `${a} ${f(v)}`).join(', ')}`).join('; ')}.`, '']
      : []),
    ...leaks.map((g) => `Check: ${g.name}: **${g.pass ? 'PASS' : 'FAIL'}** (AUC ${g.auc.toFixed(4)}).`),
    ...goals.map((g) => line('Goal', g)),
    ...baselines.map((g) => line('Baseline', g)),
    '',
  ].join('\n');
  const reportFiles = await writeTaskReport(out, { md, json: { format: 'xrec-bench-fairness', version: 2, ...r, goals, baselines, leaks }, chart: { file: 'tradeoff.svg', svg: fairnessTradeoffSvg(r) } });
  return { reportFiles, summary: { auc: Object.fromEntries(r.rows.map((x) => [x.method, x.auc])), goal: goals.every((g) => g.pass) } };
}

/**
 * The fairness–accuracy trade-off of a fairness report (its report.json has every field used): per row and
 * hidden attribute, the attacker's AUC on that attribute against hit@5 (the unfair P5: every attribute), the
 * target AUC band shaded and the 5%-below-unfair hit@5 line dashed.
 */
export function fairnessTradeoffSvg(r: Pick<ReportInput, 'dataset' | 'attributes' | 'rows'>): string {
  const unfair = r.rows[0]!;
  const kinds: readonly RowKind[] = ['unfair', 'prompt', 'mixture', 'adversarial fine-tuning', 'linear projection'];
  const series = kinds
    .map((k) => ({
      name: k === 'unfair' ? 'unfair P5' : k === 'prompt' ? 'CFP prompt' : k === 'mixture' ? 'prompt mixture' : k,
      points: r.rows.filter((row) => row.kind === k).flatMap((row) => (k === 'unfair' ? r.attributes : row.hidden).map((a) => [row.auc[a]!, row.metrics['hit@5'], k === 'mixture' ? `${a} (${row.hidden.length === r.attributes.length && row.hidden.length > 2 ? 'all' : row.hidden.join('+')})` : a] as const)),
    }))
    .filter((x) => x.points.length > 0);
  const name = r.dataset === 'insurance' ? 'Insurance, sequential' : 'MovieLens-100K, sequential (leave-one-out)';
  return scatterChartSvg(`${name}: fairness–accuracy trade-off`, 'attacker AUC on the hidden attribute (0.5 = fair; shaded: within 0.03)', 'hit@5', series, { band: [0.47, 0.53], hLine: { y: 0.95 * unfair.metrics['hit@5'], label: 'hit@5 5% below the unfair P5' } });
}

/** How the report names a run's adversary objective and its discriminator schedule. */
function adversaryWords(r: ReportInput): string {
  if (r.adversary === 'mmd') return 'none: a kernel MMD penalty between the classes’ representations in each batch (not UP5’s)';
  const what = r.adversary === 'negative-ce' ? "−L_disc (UP5's)" : `confusion (cross-entropy to ${r.confusionTarget === 'prior' ? "the class prior of the prompt's training examples" : 'uniform'})`;
  return `${what}, discriminator pre-trained for ${r.pretrain} epoch(s) on the unprompted representations`;
}
