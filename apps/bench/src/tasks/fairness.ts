/**
 * The fairness task (UP5): on Insurance (sequential, UP5's protocol) a P5 is trained once (reused from
 * `<out>/p5` when present), then per sensitive attribute a counterfactually-fair prompt is trained on the frozen
 * P5 against a discriminator. Each row — the unfair P5 and each single-attribute prompt — gets a fresh
 * attacker's ROC-AUC per attribute on the provided attacker user splits (`insurance_u_<attr>.attacker.*.tsv`;
 * 0.5 is fair) and hit@k / NDCG@k on the test users with the prompt on. Options: `attributes` (default all
 * four), `profile` (smoke | quick | full), `seed`, `lambda` (default 1), `tokens` (prompt length, default 10),
 * `lr` (the prompt's and discriminator's learning rate, default 1e-2), `mixture` (default true: with two or more
 * attributes, UP5's prompt mixture is trained over the frozen single prompts and evaluated on every attribute
 * pair and on the full set).
 * Writes report.md, report.json (with every attacker's AUC) and tradeoff.svg (AUC vs hit@5), and keeps the
 * model: `p5/`, the prompts and attackers (`up5.json`, `up5.safetensors`) and `users.json` (each attacker
 * user's history and attributes) — what `xrec up5 recommend` and the playground load.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, findDataset, float32ToTensor, NotFoundError, Rng, saveSafetensors, writeFileAtomic } from '@xrec/core';
import { loadInsuranceAttackerSplit } from '@xrec/data';
import { evaluateRanker, P5Recommender, p5Template, REC_METRICS, trainP5, trainP5Tokenizer, type RecExample, type RecMetrics } from '@xrec/p5';
import { initBackend, type T5Prefix } from '@xrec/transformer';
import { Discriminator, encodeUserRows, FairPrefix, PromptMixture, saveUp5Prompts, trainFairPrefix, trainPromptMixture, userRepresentations, type Up5Attribute } from '@xrec/up5';
import { attackRow, attributeClasses } from '../fairness-attack.js';
import { groupedBarChartSvg } from '../svg.js';
import { loadRecData } from './rec-data.js';
import { registerBenchTask } from './registry.js';

const ATTRIBUTES = ['gender', 'marital_status', 'occupation', 'activity'];
/** The attackers' training settings (also recorded in representations.json for `xrec up5 audit`). */
const ATTACKER = { epochs: 20, lr: 1e-3 } as const;

interface Profile {
  readonly p5Examples: number;
  readonly p5Epochs: number;
  readonly cfpExamples: number;
  readonly cfpEpochs: number;
  readonly attackerUsers: number;
  readonly testExamples: number;
  readonly model: { dModel: number; nHeads: number; nLayers: number; dFF: number };
}

const PROFILES: Readonly<Record<string, Profile>> = {
  smoke: { p5Examples: 600, p5Epochs: 1, cfpExamples: 128, cfpEpochs: 1, attackerUsers: 400, testExamples: 60, model: { dModel: 32, nHeads: 2, nLayers: 1, dFF: 64 } },
  quick: { p5Examples: 29766, p5Epochs: 3, cfpExamples: 4000, cfpEpochs: 1, attackerUsers: 6000, testExamples: 500, model: { dModel: 64, nHeads: 4, nLayers: 2, dFF: 256 } },
  full: { p5Examples: 29766, p5Epochs: 10, cfpExamples: 29766, cfpEpochs: 3, attackerUsers: Number.POSITIVE_INFINITY, testExamples: 2913, model: { dModel: 128, nHeads: 4, nLayers: 3, dFF: 512 } },
};

interface Row {
  readonly method: string;
  /** The attributes the row's prompt hides (none for the unfair P5). */
  readonly hidden: readonly string[];
  readonly auc: Record<string, number>;
  readonly hardAuc: Record<string, number>;
  readonly metrics: RecMetrics;
  readonly trainSeconds?: number;
}

registerBenchTask({
  id: 'fairness',
  label: 'Fairness-aware recommendation (UP5)',
  description: 'counterfactually-fair prompts on a frozen P5 (Insurance, sequential): a fresh attacker’s ROC-AUC per attribute (0.5 = fair) and hit@k with the prompt on',
  metrics: ['auc', ...REC_METRICS],
  async run(ctx) {
    const known = ['attributes', 'profile', 'seed', 'lambda', 'tokens', 'lr', 'mixture'];
    const unknown = Object.keys(ctx.options).filter((k) => !known.includes(k));
    if (unknown.length) throw new ConfigError(`bench task 'fairness': unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${known.join(', ')})`);
    const attributes = (ctx.options.attributes as string[] | undefined) ?? ATTRIBUTES;
    for (const a of attributes) if (!ATTRIBUTES.includes(a)) throw new ConfigError(`bench task 'fairness': unknown attribute '${a}' (Insurance: ${ATTRIBUTES.join(', ')})`);
    const profile = String(ctx.options.profile ?? 'quick');
    const p = PROFILES[profile];
    if (!p) throw new ConfigError(`bench task 'fairness': profile must be smoke, quick or full, got '${profile}'`);
    const seed = Number(ctx.options.seed ?? 0);
    const lambda = Number(ctx.options.lambda ?? 1);
    const tokens = Number(ctx.options.tokens ?? 10);
    const lr = Number(ctx.options.lr ?? 1e-2);
    if (!(lr > 0)) throw new ConfigError(`bench task 'fairness': lr must be > 0, got ${String(ctx.options.lr)}`);
    if (!Number.isInteger(seed) || seed < 0) throw new ConfigError(`bench task 'fairness': seed must be a non-negative integer, got ${String(ctx.options.seed)}`);
    if (!(lambda >= 0)) throw new ConfigError(`bench task 'fairness': lambda must be ≥ 0, got ${String(ctx.options.lambda)}`);
    if (!Number.isInteger(tokens) || tokens < 1) throw new ConfigError(`bench task 'fairness': tokens must be a positive integer, got ${String(ctx.options.tokens)}`);
    const dir = findDataset('insurance-fairness', ctx.dataDir);
    if (!dir) throw new NotFoundError(`bench task 'fairness': insurance-fairness not found in ${ctx.dataDir ?? 'the data directory'}`);
    const data = loadRecData('insurance', 'sequential', seed, ctx.dataDir);
    await initBackend();
    await mkdir(ctx.out, { recursive: true });
    const rng = new Rng(seed).fork('fairness');
    const train = p.p5Examples >= data.splits.train.length ? data.splits.train : rng.shuffle([...data.splits.train]).slice(0, p.p5Examples);
    const test = data.splits.test.slice(0, p.testExamples);
    // one prompt per user for the attacker: all the user's purchases but one as the history
    const itemsOf = new Map<string, string[]>();
    for (const r of data.observed) itemsOf.set(r.user, [...(itemsOf.get(r.user) ?? []), r.item]);
    for (const ex of [...data.splits.validation, ...data.splits.test]) itemsOf.set(ex.user, [...(itemsOf.get(ex.user) ?? []), ex.target]);
    const userExample = (u: string): RecExample => {
      const its = itemsOf.get(u) ?? [];
      return { user: u, history: its.length > 1 ? its.slice(0, -1) : its, target: its[its.length - 1] ?? '' };
    };
    const splits = Object.fromEntries(
      attributes.map((a) => {
        const cut = (m: Map<string, number>) => [...m].filter(([u]) => itemsOf.has(u)).slice(0, Number.isFinite(p.attackerUsers) ? p.attackerUsers : undefined);
        return [a, { train: cut(loadInsuranceAttackerSplit(join(dir, `insurance_u_${a}.attacker.train.tsv`), a)), test: cut(loadInsuranceAttackerSplit(join(dir, `insurance_u_${a}.attacker.test.tsv`), a)) }];
      }),
    );
    const labelOf = Object.fromEntries(attributes.map((a) => [a, new Map([...splits[a]!.train])]));
    const classesOf = Object.fromEntries(attributes.map((a) => [a, attributeClasses(labelOf[a]!.values())]));
    // the P5 model (trained once)
    const p5Dir = join(ctx.out, 'p5');
    let rec: P5Recommender;
    if (existsSync(join(p5Dir, 'p5.json'))) {
      rec = await P5Recommender.load(p5Dir);
      ctx.progress.log(`fairness: reusing the P5 in ${p5Dir}`);
    } else {
      const tmpl = p5Template('sequential', 'insurance');
      const tok = trainP5Tokenizer(train.flatMap((e) => [tmpl.source(e), ` ${e.target}`]).concat(data.catalogue.map((i) => ` ${i}`)), 800);
      rec = P5Recommender.create(tok, data.catalogue, { task: 'sequential', domain: 'insurance' }, { ...p.model, dropout: 0.1 }, seed);
      await trainP5(rec, { train, validation: data.splits.validation.slice(0, 500), batchSize: 64, config: { epochs: p.p5Epochs, lr: 3e-3, warmupSteps: 100, patience: 2, seed }, progress: ctx.progress });
      await rec.save(p5Dir);
    }
    const d = rec.model.config.dModel;
    // every attacker user's prompt, encoded once; their representations are recomputed per row (prompt)
    const everyone = [...new Set(attributes.flatMap((a) => [...splits[a]!.train, ...splits[a]!.test].map(([u]) => u)))];
    const everyoneRows = encodeUserRows(rec, everyone.map(userExample));
    const reps = (prefix?: () => T5Prefix): Float32Array => {
      const out = new Float32Array(everyoneRows.length * d);
      for (let s = 0; s < everyoneRows.length; s += 256) {
        const r = tf.tidy(() => userRepresentations(rec, everyoneRows.slice(s, s + 256), prefix ? { prefix: prefix() } : {}));
        out.set(r.dataSync(), s * d);
        r.dispose();
      }
      return out;
    };
    // every row's user representations, written beside the report so its AUCs can be recomputed (xrec up5 audit)
    const saved: Float32Array[] = [];
    // the trained attackers kept for the saved model: per attribute, on the unprompted and on its prompt's representations
    const kept = new Map<string, { unfair?: Discriminator; fair?: Discriminator }>(attributes.map((a) => [a, {}]));
    const at = new Map(everyone.map((u, i) => [u, i]));
    const evaluate = (method: string, hidden: readonly string[], prefix?: () => T5Prefix, trainSeconds?: number, promptOf?: string): Row => {
      const auc: Record<string, number> = {};
      const hardAuc: Record<string, number> = {};
      // every attacker user's representation once per row
      const all = reps(prefix);
      saved.push(all);
      const attacked = attackRow(all, at, d, splits, { ...ATTACKER, seed }, (a) => promptOf === undefined || promptOf === a);
      for (const [a, r] of Object.entries(attacked)) {
        if (r.attacker) kept.get(a)![promptOf === undefined ? 'unfair' : 'fair'] = r.attacker;
        auc[a] = r.auc;
        if (r.hardAuc !== undefined) hardAuc[a] = r.hardAuc;
      }
      const metrics = evaluateRanker(test, (ex) => (prefix ? tf.tidy(() => rec.rank(ex, 20, prefix())) : rec.rank(ex, 20)), ctx.progress, `${method}: ranking`).metrics;
      return { method, hidden, auc, hardAuc, metrics, ...(trainSeconds !== undefined ? { trainSeconds } : {}) };
    };
    const rows: Row[] = [];
    const prompts: FairPrefix[] = [];
    const withMixture = ctx.options.mixture !== false && attributes.length >= 2;
    const subsets = withMixture ? [...attributes.flatMap((a, i) => attributes.slice(i + 1).map((b) => [a, b])), ...(attributes.length > 2 ? [attributes] : [])] : [];
    let mixture: PromptMixture | undefined;
    const bar = ctx.progress.start(`fairness ${profile}`, attributes.length + 1 + subsets.length);
    try {
      rows.push(evaluate('P5 (no prompt, unfair)', []));
      bar.tick(1);
      for (const a of attributes) {
        const prefix = FairPrefix.create(a, rec.model.config, { tokens }, new Rng(seed).fork(`cfp-${a}`));
        const disc = new Discriminator(d, classesOf[a]!, new Rng(seed).fork(`disc-${a}`));
        const t0 = performance.now();
        await trainFairPrefix(rec, prefix, disc, { train, labelOf: (u) => labelOf[a]!.get(u), lambda, epochs: p.cfpEpochs, examplesPerEpoch: p.cfpExamples, batchSize: 64, lr, seed, progress: ctx.progress });
        rows.push(evaluate(`CFP prompt: ${a}`, [a], () => prefix.prefix(), (performance.now() - t0) / 1000, a));
        prompts.push(prefix);
        disc.dispose();
        bar.tick(1, { attribute: a });
      }
      if (withMixture) {
        // UP5's prompt mixture over the frozen single prompts, trained once on random attribute subsets
        mixture = new PromptMixture(rec.model.config, { tokens }, new Rng(seed).fork('mixture'));
        const discs = attributes.map((a) => new Discriminator(d, classesOf[a]!, new Rng(seed).fork(`mixture-disc-${a}`)));
        const t0 = performance.now();
        try {
          await trainPromptMixture(rec, mixture, prompts, discs, { train, labelOf: (a, u) => labelOf[a]!.get(u), lambda, epochs: p.cfpEpochs, examplesPerEpoch: p.cfpExamples, batchSize: 64, lr, seed, progress: ctx.progress });
        } finally {
          for (const x of discs) x.dispose();
        }
        const mixSeconds = (performance.now() - t0) / 1000;
        for (const sub of subsets) {
          const m = mixture;
          const chosen = sub.map((a) => prompts[attributes.indexOf(a)]!);
          rows.push(evaluate(`Mixture: ${sub.length === attributes.length && sub.length > 2 ? 'all' : sub.join(' + ')}`, sub, () => m.prefix(chosen), sub === subsets[0] ? mixSeconds : undefined));
          bar.tick(1, { mixture: sub.join('+') });
        }
      }
      await writeRepresentations(ctx.out, { users: everyone, methods: rows.map((r) => r.method), dModel: d, reps: saved, splits: Object.fromEntries(attributes.map((a) => [a, splits[a]!])), seed });
      const up5Attributes: Up5Attribute[] = prompts.map((prompt) => {
        const k = kept.get(prompt.attribute)!;
        return { attribute: prompt.attribute, classes: k.unfair!.classes, prompt, attackers: { unfair: k.unfair!, fair: k.fair! } };
      });
      await saveUp5Prompts(ctx.out, up5Attributes, mixture);
      const truth = attributes.map((a) => [a, new Map([...splits[a]!.train, ...splits[a]!.test])] as const);
      const users = Object.fromEntries(everyone.map((u) => [u, { history: userExample(u).history, attributes: Object.fromEntries(truth.filter(([, m]) => m.has(u)).map(([a, m]) => [a, m.get(u)!])) }]));
      await writeFileAtomic(join(ctx.out, 'users.json'), `${JSON.stringify({ format: 'xrec-up5-users', version: 1, dataset: 'insurance', users })}\n`);
    } finally {
      bar.finish();
      for (const p of prompts) p.dispose();
      mixture?.dispose();
      for (const k of kept.values()) for (const x of Object.values(k)) x?.dispose();
      rec.dispose();
    }
    return writeReport(ctx.out, { profile, seed, lambda, tokens, attributes, rows, attackerUsers: Object.fromEntries(attributes.map((a) => [a, { train: splits[a]!.train.length, test: splits[a]!.test.length }])), testExamples: test.length });
  },
});

/** representations.safetensors (one [users, d] tensor per row, `row<i>`) and representations.json (users, rows, attacker splits and settings). */
async function writeRepresentations(out: string, r: { users: readonly string[]; methods: readonly string[]; dModel: number; reps: readonly Float32Array[]; splits: Record<string, { train: [string, number][]; test: [string, number][] }>; seed: number }) {
  await saveSafetensors(join(out, 'representations.safetensors'), r.reps.map((x, i) => [`row${i}`, float32ToTensor(x, [r.users.length, r.dModel])] as const), { format: 'xrec-fairness-representations' });
  await writeFileAtomic(join(out, 'representations.json'), `${JSON.stringify({ format: 'xrec-fairness-representations', version: 1, users: r.users, methods: r.methods, dModel: r.dModel, attacker: { ...ATTACKER, seed: r.seed }, splits: r.splits })}\n`);
}

async function writeReport(out: string, r: { profile: string; seed: number; lambda: number; tokens: number; attributes: string[]; rows: Row[]; attackerUsers: Record<string, { train: number; test: number }>; testExamples: number }) {
  const unfair = r.rows[0]!;
  const goals = r.rows.slice(1).flatMap((row) =>
    row.hidden.map((a) => {
      const gap = Math.abs(row.auc[a]! - 0.5);
      const drop = 1 - row.metrics['hit@5'] / unfair.metrics['hit@5'];
      const who = row.hidden.length > 1 ? `${row.method}, ${a}` : a;
      return { name: `${who}: attacker AUC within 0.03 of 0.5 with hit@5 within 5% of the unfair P5`, pass: gap <= 0.03 && drop <= 0.05, auc: row.auc[a]!, unfairAuc: unfair.auc[a]!, hitDrop: drop };
    }),
  );
  // the leak must be real for the prompts to mean anything
  const leaks = r.attributes.map((a) => ({ name: `${a}: the unfair P5 leaks it (attacker AUC above 0.55)`, pass: Math.abs(unfair.auc[a]! - 0.5) > 0.05, auc: unfair.auc[a]! }));
  const f = (v: number | undefined) => (v === undefined ? '' : v.toFixed(4));
  const md = [
    `# Fairness-aware recommendation (UP5): Insurance, sequential (${r.profile}, seed ${r.seed})`,
    '',
    `A P5 trained here (frozen afterwards); one counterfactually-fair prompt per attribute (${r.tokens} tokens in every encoder, decoder and cross-attention layer, λ = ${r.lambda}); attackers: a fresh discriminator trained on the user representations of the attacker-training users, ROC-AUC on the attacker-test users (${r.attributes.map((a) => `${a}: ${r.attackerUsers[a]!.train}/${r.attackerUsers[a]!.test}`).join(', ')}); 0.5 is fair. Ranking: ${r.testExamples} test users, 20 beams. Mixture rows: UP5's prompt mixture (learned attention over the frozen single prompts, trained once on random attribute subsets) hiding each pair of attributes and the full set; a fresh attacker per attribute as for the other rows.`,
    '',
    `| Method | ${r.attributes.map((a) => `AUC ${a}`).join(' | ')} | ${REC_METRICS.join(' | ')} | train s |`,
    `|---|${r.attributes.map(() => '---').join('|')}|${REC_METRICS.map(() => '---').join('|')}|---|`,
    ...r.rows.map((row) => `| ${row.method} | ${r.attributes.map((a) => f(row.auc[a])).join(' | ')} | ${REC_METRICS.map((k) => f(row.metrics[k])).join(' | ')} | ${row.trainSeconds?.toFixed(1) ?? ''} |`),
    '',
    `OtPrFairness' folded hard-prediction AUC: ${r.rows.map((row) => `${row.method}: ${r.attributes.map((a) => `${a} ${f(row.hardAuc[a])}`).join(', ')}`).join('; ')}.`,
    '',
    ...leaks.map((g) => `Check: ${g.name}: **${g.pass ? 'PASS' : 'FAIL'}** (AUC ${g.auc.toFixed(4)}).`),
    ...goals.map((g) => `Goal: ${g.name}: **${g.pass ? 'PASS' : 'FAIL'}** (AUC ${g.auc.toFixed(4)}, unfair ${g.unfairAuc.toFixed(4)}; hit@5 ${g.hitDrop >= 0 ? 'down' : 'up'} ${(100 * Math.abs(g.hitDrop)).toFixed(1)}%).`),
    '',
  ].join('\n');
  const reportMd = join(out, 'report.md');
  const reportJson = join(out, 'report.json');
  const chart = join(out, 'tradeoff.svg');
  await writeFileAtomic(reportMd, md);
  await writeFileAtomic(reportJson, `${JSON.stringify({ format: 'xrec-bench-fairness', version: 1, ...r, goals }, null, 1)}\n`);
  await writeFileAtomic(chart, groupedBarChartSvg('Attacker AUC (0.5 = fair) and hit@5 per method', r.rows.map((x) => x.method), [...r.attributes.map((a) => ({ label: `AUC ${a}`, values: r.rows.map((x) => x.auc[a]!) })), { label: 'hit@5', values: r.rows.map((x) => x.metrics['hit@5']) }]));
  return { reportFiles: [reportMd, reportJson, chart], summary: { auc: Object.fromEntries(r.rows.map((x) => [x.method, x.auc])), goal: goals.every((g) => g.pass) } };
}
