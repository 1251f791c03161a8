/**
 * The recommendation task (issue: T5 and P5): P5 — a small T5 trained from scratch here on P5's prompts, with
 * ids as plain sub-word pieces, with P5's whole-word embeddings, and as one token per item — against popularity and BPR-MF, on
 * Insurance (UP5's protocols) or MovieLens-100K (leave-one-out), sequential or direct recommendation.
 * Options: `dataset` (insurance | ml-100k), `task` (sequential | direct), `profile` (smoke | quick | full),
 * `seed` (default 0), `epochs` and `examples` (per epoch; override the profile's), `embeddingLrScale` (the
 * embedding tables' learning-rate multiplier; default 10 on MovieLens, 1 on Insurance), `trainNegatives` (MovieLens
 * direct: negatives in a training prompt's candidate list, redrawn every epoch; default 19 — test prompts keep
 * 99), `dropout` (P5's in training; default `P5_DROPOUT`: 0, 0.1 in the full profile), `methods` (which trained
 * models to run; popularity and BPR-MF always run), `workers` (data-parallel threads inside each P5's training;
 * not part of the reuse key: results equal one-thread runs to float tolerance). Sequential MovieLens also gets a
 * SASRec-style next-item transformer on the decoder core.
 * Ranks come from trie-constrained beam search (20 beams); on direct prompts also from
 * every candidate's log-likelihood (the report gives how often the two top-10 lists agree); direct runs also
 * train a P5 on the yes/no prompt (template 5-1) and rank the candidates by p(yes).
 * Each method's result is kept in `runs/` and reused when the same settings are asked again.
 * Writes report.md (hit@1/3/5/10, NDCG@5/10, goals), report.json and hit.svg.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, hashString, Rng, StateError, writeFileAtomic, type Progress } from '@xrec/core';
import { BprMf, evaluateRanker, NextItemTransformer, p5Template, P5Recommender, popularityRanker, rankByYesNo, REC_METRICS, trainP5, trainP5Tokenizer, userShuffleCheck, yesNoExamples, yesNoPrompt, type RecExample, type RecMetrics, type UserShuffleCheck } from '@xrec/p5';
import type { P5Task } from '@xrec/p5';
import { initBackend } from '@xrec/transformer';
import { groupedBarChartSvg } from '../svg.js';
import { loadRecData, P5_DROPOUT, P5_EMBEDDING_LR_SCALE, type RecData, type RecDataset } from './rec-data.js';
import { registerBenchTask } from './registry.js';
import { writeTaskReport } from './write-report.js';

interface Profile {
  /** Training examples drawn once per run (seeded), and per epoch from them. */
  readonly trainExamples: number;
  readonly epochs: number;
  readonly testExamples: number;
  readonly validationExamples: number;
  readonly model: { dModel: number; nHeads: number; nLayers: number; dFF: number };
  readonly vocab: number;
  /** Yes/no prompts drawn per epoch when they differ from `trainExamples` (they are short). */
  readonly yesNoExamples?: number;
  /** Learning-rate multiplier of P5's embedding tables (`trainP5`'s `embeddingLrScale`). */
  readonly embeddingLrScale: number;
  /** MovieLens direct: negatives of a training prompt's candidate list, drawn anew every epoch (test prompts: 99). */
  readonly trainNegatives?: number;
  /** P5's dropout in training ({@link P5_DROPOUT} unless the `dropout` option says otherwise). */
  readonly dropout: number;
}

/**
 * MovieLens direct training prompts list the target and 19 fresh negatives each epoch. P5's loader draws 99
 * at every access; 20 make a prompt ~70 tokens instead of ~350, so five times the examples fit the same time.
 */
const ML_DIRECT_TRAIN_NEGATIVES = 19;

const PROFILES: Readonly<Record<string, Omit<Profile, 'embeddingLrScale' | 'dropout'>>> = {
  smoke: { trainExamples: 600, epochs: 1, testExamples: 60, validationExamples: 60, model: { dModel: 32, nHeads: 2, nLayers: 1, dFF: 64 }, vocab: 400 },
  quick: { trainExamples: 30000, epochs: 3, testExamples: 1000, validationExamples: 500, model: { dModel: 64, nHeads: 4, nLayers: 2, dFF: 256 }, vocab: 800 },
  full: { trainExamples: Number.POSITIVE_INFINITY, epochs: 10, testExamples: Number.POSITIVE_INFINITY, validationExamples: 2000, model: { dModel: 128, nHeads: 4, nLayers: 3, dFF: 512 }, vocab: 1500 },
};

/** Direct prompts carry every candidate id, so their examples are longer: fewer of them per profile. */
const DIRECT_SHARE: Readonly<Record<RecDataset, number>> = { insurance: 0.5, 'ml-100k': 0.5 };

interface MethodResult {
  readonly method: string;
  readonly metrics: RecMetrics;
  /** Direct prompts: the log-likelihood ranking's metrics and the share of examples whose top-10 lists agree. */
  readonly likelihood?: RecMetrics;
  readonly top10Agreement?: number;
  /** P5's template id: 2-1 (sequential), 5-8 (direct, candidates), 5-1 (direct, yes/no). */
  readonly template?: string;
  readonly trainSeconds?: number;
  readonly examplesPerSecond?: number;
  readonly parameters?: number;
  readonly evalSeconds: number;
  /** Direct prompts: hit@k on the first test prompts with their own users and with other test users' ids. */
  readonly userCheck?: UserShuffleCheck;
}

/** Test prompts of a direct run ranked again with other users' ids ({@link userShuffleCheck}). */
const USER_CHECK_EXAMPLES = 200;

/** The methods of a (dataset, task) run, in report order. */
function recMethodNames(dataset: RecDataset, task: P5Task): string[] {
  return [
    'popularity',
    'bpr-mf',
    ...(dataset === 'ml-100k' && task === 'sequential' ? ['next-item-transformer'] : []),
    'p5',
    'p5-whole-word',
    'p5-item-tokens',
    ...(task === 'direct' ? ['p5-yes-no'] : []),
  ];
}

const sample = <T>(xs: readonly T[], n: number, rng: Rng): T[] => (n >= xs.length ? [...xs] : rng.shuffle([...xs]).slice(0, n));

/** How P5 writes item ids: plain sub-word pieces, with P5's whole-word embeddings, or one token per item. */
type IdMode = 'sub-word' | 'whole-word' | 'item-tokens';

/**
 * Train and evaluate one P5. `prompts`: `candidates` — the task's own template (sequential 2-1, direct 5-8),
 * ranked by beam search (and, on direct prompts, by log-likelihood); `yes-no` — direct only: a P5 trained on
 * the yes/no prompt (5-1; each training example gives its target as a yes and one other candidate as a no),
 * ranking the candidates by p(yes).
 */
async function runP5(
  data: RecData,
  task: P5Task,
  p: Profile,
  seed: number,
  ids: IdMode,
  split: { train: RecExample[]; validation: RecExample[]; test: RecExample[] },
  run: { progress: Progress; prompts?: 'candidates' | 'yes-no'; workers?: number | 'auto' | undefined },
): Promise<MethodResult> {
  const { train, validation, test } = split;
  const { progress, prompts = 'candidates' } = run;
  const opts = { task, domain: data.domain, wholeWord: ids === 'whole-word', itemTokens: ids === 'item-tokens' };
  const yn = prompts === 'yes-no';
  const label = yn ? `P5 yes/no prompt (${ids} ids)` : `P5 (${ids} ids)`;
  const tmpl = p5Template(task, data.domain);
  const yesNo = yn ? yesNoExamples(train, new Rng(seed).fork('yes-no'), 1) : [];
  const texts = yn
    ? yesNo.map((e) => `${yesNoPrompt(e.user, e.item, data.domain)} ${e.answer}`).concat(data.catalogue.map((i) => ` ${i}`))
    : train.flatMap((e) => [tmpl.source(e), ` ${e.target}`]).concat(data.catalogue.map((i) => ` ${i}`));
  const tok = trainP5Tokenizer(texts, p.vocab);
  const rec = P5Recommender.create(tok, data.catalogue, opts, { ...p.model, dropout: p.dropout }, seed);
  try {
    const t0 = performance.now();
    const perEpoch = yn ? Math.min(yesNo.length, Math.round(p.yesNoExamples ?? p.trainExamples)) : Math.min(train.length, Math.round(p.trainExamples));
    // warm-up: 100 steps, or a third of a short run's steps
    const warmupSteps = Math.min(100, Math.ceil((Math.ceil(perEpoch / 64) * p.epochs) / 3));
    // the yes/no model has no candidate-prompt validation loss to stop on: it trains every epoch
    const redraw = !yn && p.trainNegatives !== undefined && data.candidateSampler ? { redrawCandidates: { negatives: p.trainNegatives, sampler: data.candidateSampler } } : {};
    await trainP5(rec, { ...redraw, train: yn ? [] : train, yesNo, ...(yn ? {} : { validation }), batchSize: 64, embeddingLrScale: p.embeddingLrScale, examplesPerEpoch: perEpoch, config: { epochs: p.epochs, lr: 3e-3, warmupSteps, schedule: 'linear', patience: 2, seed }, progress, ...(run.workers === undefined ? {} : { parallel: { workers: run.workers } }) });
    const trainSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const timing = { trainSeconds, examplesPerSecond: (perEpoch * p.epochs) / trainSeconds, parameters: rec.model.numParameters() };
    // direct rankings: the same test prompts ranked again with other users' ids (the own-user lists are reused)
    const userCheck = (rank: (ex: RecExample) => string[], ranked: string[][]) => userShuffleCheck(test, rank, { n: USER_CHECK_EXAMPLES, rng: new Rng(seed).fork('user-check'), ranked, progress, label });
    if (yn) {
      const rank = (ex: RecExample) => rankByYesNo(rec, ex);
      const r = evaluateRanker(test, rank, progress, `${label}: ranking by p(yes)`);
      return { method: label, template: '5-1', metrics: r.metrics, ...timing, evalSeconds: (performance.now() - t1) / 1000, userCheck: userCheck(rank, r.ranked) };
    }
    const beam = evaluateRanker(test, (ex) => rec.rank(ex, 20), progress, `${label}: beam ranking`);
    let likelihood: { likelihood: RecMetrics; top10Agreement: number; userCheck: UserShuffleCheck } | undefined;
    if (task === 'direct') {
      const rank = (ex: RecExample) => rec.rankByLikelihood(ex);
      const ll = evaluateRanker(test, rank, progress, `${label}: likelihood ranking`);
      likelihood = { likelihood: ll.metrics, top10Agreement: beam.ranked.filter((r, i) => r.slice(0, 10).join(',') === ll.ranked[i]!.slice(0, 10).join(',')).length / test.length, userCheck: userCheck(rank, ll.ranked) };
    }
    return { method: label, template: tmpl.id, metrics: beam.metrics, ...likelihood, ...timing, evalSeconds: (performance.now() - t1) / 1000 };
  } finally {
    rec.dispose();
  }
}

registerBenchTask({
  id: 'rec',
  label: 'Recommendation as language processing (P5)',
  description: 'P5 (a small T5 trained here; sub-word, whole-word and item-token ids) vs popularity and BPR-MF on Insurance or MovieLens-100K, sequential or direct; hit@1/3/5/10, NDCG@5/10',
  metrics: [...REC_METRICS],
  async run(ctx) {
    const known = ['dataset', 'task', 'profile', 'seed', 'epochs', 'examples', 'methods', 'embeddingLrScale', 'trainNegatives', 'dropout', 'workers'];
    const unknown = Object.keys(ctx.options).filter((k) => !known.includes(k));
    if (unknown.length) throw new ConfigError(`bench task 'rec': unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${known.join(', ')})`);
    const dataset = String(ctx.options.dataset ?? 'insurance') as RecDataset;
    if (dataset !== 'insurance' && dataset !== 'ml-100k') throw new ConfigError(`bench task 'rec': dataset must be insurance or ml-100k, got '${dataset}'`);
    const task = String(ctx.options.task ?? 'sequential') as P5Task;
    if (task !== 'sequential' && task !== 'direct') throw new ConfigError(`bench task 'rec': task must be sequential or direct, got '${task}'`);
    const profile = String(ctx.options.profile ?? 'quick');
    const base = PROFILES[profile];
    if (!base) throw new ConfigError(`bench task 'rec': profile must be smoke, quick or full, got '${profile}'`);
    const seed = Number(ctx.options.seed ?? 0);
    if (!Number.isInteger(seed) || seed < 0) throw new ConfigError(`bench task 'rec': seed must be a non-negative integer, got ${String(ctx.options.seed)}`);
    // MovieLens direct test prompts carry 100 candidates (~350 tokens): outside the full profile, one epoch of 20-candidate training prompts fits the budget
    const scaled: Profile = { ...base, embeddingLrScale: P5_EMBEDDING_LR_SCALE[dataset], dropout: P5_DROPOUT[profile]! };
    const mlDirect = { epochs: profile === 'full' ? base.epochs : 1, yesNoExamples: base.trainExamples, trainNegatives: ML_DIRECT_TRAIN_NEGATIVES };
    const profiled: Profile = task === 'direct' ? { ...scaled, trainExamples: base.trainExamples * DIRECT_SHARE[dataset], ...(dataset === 'ml-100k' ? mlDirect : {}) } : scaled;
    const count = (k: 'epochs' | 'examples' | 'trainNegatives'): number | undefined => {
      const v = ctx.options[k];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ConfigError(`bench task 'rec': ${k} must be a positive integer, got ${JSON.stringify(v)}`);
      return v;
    };
    const epochs = count('epochs');
    const examples = count('examples');
    const trainNegatives = count('trainNegatives');
    if (trainNegatives !== undefined && !(dataset === 'ml-100k' && task === 'direct')) throw new ConfigError(`bench task 'rec': trainNegatives is for MovieLens direct (Insurance direct prompts list every item the user never bought)`);
    const scale = ctx.options.embeddingLrScale;
    if (scale !== undefined && (typeof scale !== 'number' || !(scale > 0) || !Number.isFinite(scale))) throw new ConfigError(`bench task 'rec': embeddingLrScale must be a positive number, got ${JSON.stringify(scale)}`);
    const dropout = ctx.options.dropout;
    if (dropout !== undefined && (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1))) throw new ConfigError(`bench task 'rec': dropout must be a number in [0, 1), got ${JSON.stringify(dropout)}`);
    const p: Profile = {
      ...profiled,
      ...(epochs ? { epochs } : {}),
      ...(examples ? { trainExamples: examples } : {}),
      ...(scale !== undefined ? { embeddingLrScale: scale } : {}),
      ...(trainNegatives ? { trainNegatives } : {}),
      ...(dropout !== undefined ? { dropout } : {}),
    };
    const workers = ctx.options.workers as number | 'auto' | undefined;
    if (workers !== undefined && workers !== 'auto' && !(typeof workers === 'number' && Number.isInteger(workers) && workers >= 0)) {
      throw new ConfigError(`bench task 'rec': workers must be a non-negative integer or 'auto', got ${JSON.stringify(workers)}`);
    }
    // `methods` picks among the trained models; popularity and BPR-MF always run (the goals compare with them).
    // Checked before the data loads, so a typo fails at once.
    const picked = ctx.options.methods as string[] | undefined;
    if (picked !== undefined) {
      const names = recMethodNames(dataset, task);
      if (!Array.isArray(picked) || picked.length === 0 || picked.some((m) => typeof m !== 'string' || !names.includes(m))) {
        throw new ConfigError(`bench task 'rec': methods must be a non-empty list of ${names.join(', ')} (for this dataset and task), got ${JSON.stringify(picked)}`);
      }
    }
    const data = loadRecData(dataset, task, seed, ctx.dataDir);
    const rng = new Rng(seed).fork('rec-sample');
    const train = sample(data.splits.train, Math.round(p.trainExamples * Math.max(1, p.epochs)), rng);
    const validation = sample(data.splits.validation, p.validationExamples, rng);
    const test = sample(data.splits.test, p.testExamples, rng);
    await mkdir(join(ctx.out, 'runs'), { recursive: true });
    const settings = { dataset, task, profile, seed, p: { ...p, trainExamples: String(p.trainExamples), testExamples: String(p.testExamples) }, version: 3 };
    const key = (hashString(JSON.stringify(settings)) >>> 0).toString(16);
    const methods: { name: string; run: () => Promise<MethodResult> }[] = [
      { name: 'popularity', run: async () => { const t = performance.now(); const r = evaluateRanker(test, popularityRanker(data.observed, data.catalogue)); return { method: 'popularity', metrics: r.metrics, evalSeconds: (performance.now() - t) / 1000 }; } },
      {
        name: 'bpr-mf',
        run: async () => {
          const t = performance.now();
          const bpr = new BprMf(data.observed, data.catalogue, { dim: 32, epochs: profile === 'smoke' ? 2 : 20, seed });
          const trainSeconds = (performance.now() - t) / 1000;
          const r = evaluateRanker(test, bpr.ranker(data.catalogue));
          return { method: 'BPR-MF', metrics: r.metrics, trainSeconds, evalSeconds: (performance.now() - t) / 1000 - trainSeconds };
        },
      },
      ...(dataset === 'ml-100k' && task === 'sequential'
        ? [
            {
              name: 'next-item-transformer',
              run: async (): Promise<MethodResult> => {
                const t = performance.now();
                const byUser = new Map<string, { item: string; time: number }[]>();
                for (const r of data.observed) {
                  const l = byUser.get(r.user) ?? [];
                  l.push({ item: r.item, time: r.time ?? 0 });
                  byUser.set(r.user, l);
                }
                const seqs = [...byUser.values()].map((l) => l.sort((x, y) => x.time - y.time).map((x) => x.item));
                const nit = await NextItemTransformer.train(seqs, data.catalogue, { epochs: profile === 'smoke' ? 1 : profile === 'quick' ? 10 : 30, seed, dModel: p.model.dModel, nLayers: p.model.nLayers }, ctx.progress);
                const trainSeconds = (performance.now() - t) / 1000;
                try {
                  const r = evaluateRanker(test, nit.ranker(data.catalogue));
                  return { method: 'next-item transformer (SASRec-style)', metrics: r.metrics, trainSeconds, parameters: nit.model.numParameters(), evalSeconds: (performance.now() - t) / 1000 - trainSeconds };
                } finally {
                  nit.dispose();
                }
              },
            },
          ]
        : []),
      { name: 'p5', run: () => runP5(data, task, p, seed, 'sub-word', { train, validation, test }, { progress: ctx.progress, workers }) },
      { name: 'p5-whole-word', run: () => runP5(data, task, p, seed, 'whole-word', { train, validation, test }, { progress: ctx.progress, workers }) },
      { name: 'p5-item-tokens', run: () => runP5(data, task, p, seed, 'item-tokens', { train, validation, test }, { progress: ctx.progress, workers }) },
      ...(task === 'direct' ? [{ name: 'p5-yes-no', run: () => runP5(data, task, p, seed, 'sub-word', { train, validation, test }, { progress: ctx.progress, prompts: 'yes-no', workers }) }] : []),
    ];
    if (methods.map((m) => m.name).join() !== recMethodNames(dataset, task).join()) throw new StateError('bench rec: the method list and recMethodNames disagree');
    const chosen = methods.filter((m) => m.name === 'popularity' || m.name === 'bpr-mf' || picked === undefined || picked.includes(m.name));
    await initBackend();
    const results: MethodResult[] = [];
    const bar = ctx.progress.start(`rec ${dataset} ${task} ${profile}`, chosen.length);
    try {
      for (const m of chosen) {
        const file = join(ctx.out, 'runs', `${dataset}-${task}-${profile}-seed${seed}-${m.name}-${key}.json`);
        if (existsSync(file)) {
          results.push(JSON.parse(readFileSync(file, 'utf8')) as MethodResult);
          ctx.progress.log(`rec: reusing ${file}`);
        } else {
          const r = await m.run();
          await writeFileAtomic(file, `${JSON.stringify(r, null, 1)}\n`);
          results.push(r);
        }
        bar.tick(1, { method: m.name });
      }
    } finally {
      bar.finish();
    }
    return writeRecReport(ctx.out, { dataset, task, profile, seed, p, results, counts: { train: data.splits.train.length, trainUsed: train.length, validation: validation.length, test: test.length } });
  },
});

async function writeRecReport(
  out: string,
  r: { dataset: RecDataset; task: P5Task; profile: string; seed: number; p: Profile; results: MethodResult[]; counts: Record<string, number> },
): Promise<{ reportFiles: string[]; summary: Record<string, unknown> }> {
  const by = (m: string) => r.results.find((x) => x.method === m)!;
  const pop = by('popularity').metrics;
  const bpr = by('BPR-MF').metrics;
  const p5s = r.results.filter((x) => x.method.startsWith('P5'));
  // the baselines are beaten by any P5 (candidate or yes/no prompts); UP5's direct anchor is the candidate-list template 5-8
  const best = (k: keyof RecMetrics, yesNo = true) => Math.max(...p5s.filter((x) => yesNo || x.template !== '5-1').map((x) => x.metrics[k] as number));
  const goals =
    r.dataset === 'insurance'
      ? [
          { name: 'P5 beats popularity on hit@1', pass: best('hit@1') > pop['hit@1'], value: best('hit@1'), vs: pop['hit@1'] },
          { name: 'P5 beats popularity on NDCG@5', pass: best('ndcg@5') > pop['ndcg@5'], value: best('ndcg@5'), vs: pop['ndcg@5'] },
          ...(r.task === 'direct'
            ? [{ name: "P5 reaches UP5's direct hit@1 0.8235 (template 5-8)", pass: best('hit@1', false) >= 0.8235, value: best('hit@1', false), vs: 0.8235 }]
            : [{ name: "P5 reaches UP5's sequential hit@1 0.81", pass: best('hit@1') >= 0.81, value: best('hit@1'), vs: 0.81 }]),
        ]
      : [{ name: 'P5 beats BPR-MF on hit@10', pass: best('hit@10') > bpr['hit@10'], value: best('hit@10'), vs: bpr['hit@10'] }];
  const f = (v: number | undefined) => (v === undefined ? '' : v.toFixed(4));
  const m = r.p.model;
  const md = [
    `# Recommendation as language processing: ${r.dataset === 'insurance' ? 'Insurance' : 'MovieLens-100K'}, ${r.task} (${r.profile}, seed ${r.seed})`,
    '',
    `P5: a T5 trained from scratch on this machine (d_model ${m.dModel}, ${m.nLayers}+${m.nLayers} layers, ${m.nHeads} heads, d_ff ${m.dFF}, dropout ${r.p.dropout}; a byte-level BPE of ${r.p.vocab} pieces trained on the prompts), AdamW lr 3e-3 (the embedding tables ×${r.p.embeddingLrScale}: T5's std-1 embeddings barely move under AdamW otherwise), batch 64, at most ${r.p.epochs} epoch(s) of ${Math.min(r.counts.trainUsed!, Math.round(r.p.trainExamples))} examples drawn from ${r.counts.trainUsed} (of ${r.counts.train}), early stopping on ${r.counts.validation} validation examples.${r.p.trainNegatives ? ` Training prompts list the target and ${r.p.trainNegatives} negatives drawn anew every epoch (validation and test prompts: the target and 99).` : ''} Ranking: beam search with 20 beams constrained by a prefix trie of the valid items (${r.task === 'direct' ? "the prompt's candidates" : "the catalogue without the user's history"}); the baselines rank the same items. ${r.counts.test} test examples.`,
    '',
    `| Method | ${REC_METRICS.join(' | ')} | train s | examples/s | eval s |`,
    `|---|${REC_METRICS.map(() => '---').join('|')}|---|---|---|`,
    ...r.results.flatMap((x) => [
      `| ${x.method}${x.parameters ? ` (${(x.parameters / 1e6).toFixed(2)} M)` : ''} | ${REC_METRICS.map((k) => f(x.metrics[k])).join(' | ')} | ${x.trainSeconds?.toFixed(1) ?? ''} | ${x.examplesPerSecond?.toFixed(0) ?? ''} | ${x.evalSeconds.toFixed(1)} |`,
      ...(x.likelihood ? [`| ${x.method}, log-likelihood ranking (top-10 equal to beam's: ${(100 * x.top10Agreement!).toFixed(1)}%) | ${REC_METRICS.map((k) => f(x.likelihood![k])).join(' | ')} | | | |`] : []),
    ]),
    '',
    ...userCheckSection(r.results),
    ...goals.map((g) => `Goal: ${g.name}: **${g.pass ? 'PASS' : 'FAIL'}** (${g.value.toFixed(4)} vs ${g.vs.toFixed(4)}).`),
    '',
  ].join('\n');
  const svg = groupedBarChartSvg(`${r.dataset} ${r.task}: hit@k and NDCG@k`, r.results.map((x) => x.method), REC_METRICS.map((k) => ({ label: k, values: r.results.map((x) => x.metrics[k]) })));
  const reportFiles = await writeTaskReport(out, { md, json: { format: 'xrec-bench-rec', version: 1, ...r, goals }, chart: { file: 'hit.svg', svg } });
  return { reportFiles, summary: { ...Object.fromEntries(r.results.map((x) => [x.method, x.metrics])), goal: goals.every((g) => g.pass) } };
}

/** The report's user-shuffle table (direct runs): does each P5 rank differently for another user's id? */
function userCheckSection(results: readonly MethodResult[]): string[] {
  const checked = results.filter((x) => x.userCheck);
  if (checked.length === 0) return [];
  const n = checked[0]!.userCheck!.examples;
  const f = (m: RecMetrics) => `${m['hit@1'].toFixed(4)} | ${m['hit@10'].toFixed(4)}`;
  return [
    `Does the P5 use the user? The first ${n} test prompts ranked again (likelihood, or p(yes)) with each prompt's user id replaced by another test user's; candidates and targets unchanged. A model that ignores the user scores the same.`,
    '',
    '| Method | hit@1 own user | hit@10 own user | hit@1 another user | hit@10 another user |',
    '|---|---|---|---|---|',
    ...checked.map((x) => `| ${x.method} | ${f(x.userCheck!.own)} | ${f(x.userCheck!.shuffled)} |`),
    '',
  ];
}
