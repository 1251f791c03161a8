/**
 * The cold-start task (PromptRec, issue: @xrec/promptrec): system cold start on MovieLens-100K (click = rating
 * ≥ 4) or the UCI in-vehicle coupon data (click = Y; option `dataset`: ml-100k | coupon) — per seed 250
 * training / 50 validation rows, the rest test — or (option `protocol`: user | item) user or item cold start:
 * every row of 20% of the users (items) is a test row, the few-shot rows come from the warm rest, and
 * popularity and a matrix factorisation train on every warm row. Methods: the reference's profile-embedding
 * cosine baseline (cos of the user's and the item's sentence embeddings), zero-shot prompting of the shipped
 * base models (xrec-base, a causal LM: next-token label words after the causal suffix; xrec-base-mlm, a masked
 * LM: label words at the mask, when the folder exists) against a random scorer and item popularity from the
 * 250 training rows, and a logistic regression and a factorization machine on the one-hot profile features
 * trained on the same 250 rows. Options: `dataset`, `profile`
 * (smoke | quick | full: test rows per seed 300 / 3,000 / all), `seeds` (default the paper's five), `fewShot`
 * (default true: also few-shot prompt tuning of each base model on the seed's 250 training rows, see
 * @xrec/promptrec's prompt-tune.ts), `tppt` (default true where the other dataset is present: transferable
 * prompts trained on the other dataset's rows, see tppt.ts).
 * Writes report.md (AUC, GAUC, ACC, F1, log-loss and the per-user ranking view NDCG@10 / HR@10 as mean ± std
 * over seeds, and the goal check), report.json and gauc.svg. Each finished seed is kept in `<out>/runs/` and
 * reused when the task runs again with the same settings. A zero-shot score depends on its row alone, so rows
 * that several seeds test are scored once per run (what makes the full profile's zero-shot rows affordable).
 */
import { join } from 'node:path';
import type { Row } from './coldstart-data.js';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { ConfigError, hashString, NotFoundError, Rng, writeFileAtomic } from '@xrec/core';
import { clickMetrics, entityColdStart, profileCosineScores, PROMPT_TUNE_LR, PROMPTREC_SEEDS, promptTokens, scorePrompts, systemColdStart, topTfidfWords, trainProfileModel, TransferablePrompt, tunePrompt, type ClickMetrics, type ColdStartProtocol } from '@xrec/promptrec';
import { hasColdStartData, loadColdStartData, type ColdStartDataset } from './coldstart-data.js';
import { loadTokenizer } from '@xrec/tokenizer';
import { initBackend, TransformerLM } from '@xrec/transformer';
import { findWorkspaceModel, findXrecBase, modelFingerprint } from '../base-models.js';
import { RowScores } from '../row-scores.js';
import { groupedBarChartSvg } from '../svg.js';
import { registerBenchTask } from './registry.js';
import { writeTaskReport } from './write-report.js';

const TEST_ROWS: Readonly<Record<string, number>> = { smoke: 300, quick: 3000, full: Number.POSITIVE_INFINITY };
/** Few-shot prompt-tuning epochs (early-stopped on the 50 validation rows' AUC, patience 3). */
const TUNE_EPOCHS: Readonly<Record<string, number>> = { smoke: 2, quick: 6, full: 20 };
/** TPPT: source-domain rows drawn per seed, and epochs over them (early-stopped on the target's validation AUC). */
const TPPT_ROWS: Readonly<Record<string, number>> = { smoke: 64, quick: 500, full: 5000 };
const TPPT_EPOCHS: Readonly<Record<string, number>> = { smoke: 1, quick: 3, full: 10 };
const METRICS = ['auc', 'gauc', 'acc', 'f1', 'logloss', 'ndcg10', 'hr10'] as const;
const HEADERS: Readonly<Record<(typeof METRICS)[number], string>> = { auc: 'AUC', gauc: 'GAUC', acc: 'ACC', f1: 'F1', logloss: 'log-loss', ndcg10: 'NDCG@10', hr10: 'HR@10' };
/** The profile baselines (one-hot slot features, the seed's 250 training rows; the best validation epoch kept). */
const PROFILE_MODELS = [
  { name: 'logistic regression (profile features)', o: { kind: 'lr', epochs: 300, lr: 0.5, l2: 1e-3 } },
  { name: 'factorization machine (profile features)', o: { kind: 'fm', factors: 8, epochs: 300, lr: 0.5, l2: 1e-3 } },
] as const;

const MF_NAME = 'matrix factorisation (warm rows)';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: readonly number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1)));

registerBenchTask({
  id: 'coldstart',
  label: 'Cold-start recommendation (PromptRec)',
  description: 'system cold start on MovieLens-100K or the UCI coupon data: zero-shot and few-shot prompting of xrec-base and xrec-base-mlm vs random and popularity; AUC, GAUC, ACC, F1, log-loss',
  metrics: [...METRICS],
  async run(ctx) {
    const known = ['profile', 'seeds', 'fewShot', 'tppt', 'dataset', 'protocol'];
    const unknown = Object.keys(ctx.options).filter((k) => !known.includes(k));
    if (unknown.length) throw new ConfigError(`bench task 'coldstart': unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${known.join(', ')})`);
    const profile = String(ctx.options.profile ?? 'quick');
    if (!(profile in TEST_ROWS)) throw new ConfigError(`bench task 'coldstart': profile must be smoke, quick or full, got '${profile}'`);
    const seeds = (ctx.options.seeds as number[] | undefined) ?? [...PROMPTREC_SEEDS];
    const dataset = String(ctx.options.dataset ?? 'ml-100k') as ColdStartDataset;
    if (dataset !== 'ml-100k' && dataset !== 'coupon') throw new ConfigError(`bench task 'coldstart': dataset must be ml-100k or coupon, got '${dataset}'`);
    const protocol = String(ctx.options.protocol ?? 'system') as ColdStartProtocol;
    if (!['system', 'user', 'item'].includes(protocol)) throw new ConfigError(`bench task 'coldstart': protocol must be system, user or item, got '${protocol}'`);
    const warmMethods = protocol !== 'system';
    const base = findXrecBase().dir;
    if (!base) throw new NotFoundError("bench task 'coldstart': models/xrec-base not found (set XREC_BASE_MODEL)");
    const data = loadColdStartData(dataset, ctx.dataDir);
    const rows = data.rows;
    const source: ColdStartDataset = dataset === 'ml-100k' ? 'coupon' : 'ml-100k';
    const tppt = ctx.options.tppt !== false && hasColdStartData(source, ctx.dataDir);
    const sourceRows = tppt ? loadColdStartData(source, ctx.dataDir).rows : [];
    const keywords = topTfidfWords(data.itemTexts, 16);
    await initBackend();
    const mlm = findWorkspaceModel('xrec-base-mlm', 'XREC_BASE_MLM_MODEL').dir;
    const lms = await Promise.all(
      [base, ...(mlm ? [mlm] : [])].map(async (dir) => {
        const model = await TransformerLM.load(dir);
        const tok = await loadTokenizer(join(dir, 'tokenizer.json'));
        return { name: `zero-shot ${dir === base ? 'xrec-base' : 'xrec-base-mlm'}`, model, tok, tokens: promptTokens(model, tok) };
      }),
    );
    const fewShot = ctx.options.fewShot !== false;
    const tunedName = (name: string) => name.replace('zero-shot', 'few-shot prompt-tuned');
    const cosineName = (name: string) => name.replace('zero-shot', 'profile cosine');
    const transferName = (name: string) => name.replace('zero-shot', `TPPT (${source} → ${dataset})`);
    const results: Record<string, ClickMetrics[]> = {
      random: [],
      popularity: [],
      ...(warmMethods ? { [MF_NAME]: [] } : {}),
      ...Object.fromEntries(PROFILE_MODELS.map((m) => [m.name, []])),
      ...Object.fromEntries(lms.map((l) => [cosineName(l.name), []])),
      ...Object.fromEntries(lms.flatMap((l) => [[l.name, []], ...(fewShot ? [[tunedName(l.name), []]] : []), ...(tppt ? [[transferName(l.name), []]] : [])])),
    };
    const task = ctx.progress.start(`coldstart ${profile}`, seeds.length);
    /** Zero-shot rows scored and the seconds it took, per model (pairs/s in the report). */
    const scoring: Record<string, { rows: number; seconds: number }> = {};
    const addScoring = (m: string, rows: number, seconds: number) => {
      const s = (scoring[m] ??= { rows: 0, seconds: 0 });
      s.rows += rows;
      s.seconds += seconds;
    };
    /** Zero-shot p(like) per model, kept across seeds (each row scored once). */
    const zeroShot = new Map<string, RowScores>();
    await mkdir(join(ctx.out, 'runs'), { recursive: true });
    // the models enter by fingerprint, so a model retrained in place is never answered with its predecessor's runs
    const settings = { dataset, profile, fewShot, tppt, methods: Object.keys(results), base: modelFingerprint(base), mlm: mlm ? modelFingerprint(mlm) : null, tuneLr: PROMPT_TUNE_LR, version: 3, ...(protocol !== 'system' ? { protocol } : {}) };
    const key = (hashString(JSON.stringify(settings)) >>> 0).toString(16);
    try {
      for (const seed of seeds) {
        const file = join(ctx.out, 'runs', `${dataset}-${protocol === 'system' ? '' : `${protocol}-`}${profile}-seed${seed}-${key}.json`);
        if (existsSync(file)) {
          const kept = JSON.parse(readFileSync(file, 'utf8')) as { results: Record<string, ClickMetrics>; scoring?: Record<string, { rows: number; seconds: number }> };
          for (const [m, r] of Object.entries(kept.results)) results[m]!.push(r);
          for (const [m, v] of Object.entries(kept.scoring ?? {})) addScoring(m, v.rows, v.seconds);
          ctx.progress.log(`coldstart: reusing ${file}`);
          task.tick(1, { seed });
          continue;
        }
        const seedScoring: Record<string, { rows: number; seconds: number }> = {};
        const before = Object.fromEntries(Object.entries(results).map(([m, r]) => [m, r.length]));
        const split = protocol === 'system' ? { ...systemColdStart(rows.length, seed), warm: undefined } : entityColdStart(rows.map((r) => (protocol === 'user' ? r.user : r.item)), seed);
        const testIdx = split.test.slice(0, Math.min(split.test.length, TEST_ROWS[profile]!));
        const test = testIdx.map((i) => rows[i]!);
        const us = test.map((t) => t.user);
        const labels = test.map((t) => t.click);
        const rng = new Rng(seed).fork('random');
        results.random!.push(clickMetrics(us, test.map(() => rng.float()), labels));
        // popularity: the item's click rate among the training rows — every warm row in user / item cold start
        // (Laplace-smoothed toward the mean)
        const trainRows = split.train.map((i) => rows[i]!);
        const popRows = split.warm ? split.warm.map((i) => rows[i]!) : trainRows;
        const globalRate = mean(popRows.map((t) => t.click));
        const stat = new Map<string, [number, number]>();
        for (const t of popRows) {
          const s = stat.get(t.item) ?? [0, 0];
          stat.set(t.item, [s[0] + t.click, s[1] + 1]);
        }
        results.popularity!.push(clickMetrics(us, test.map((t) => { const s = stat.get(t.item); return s ? (s[0] + globalRate) / (s[1] + 1) : globalRate; }), labels));
        const asProfile = (rs: readonly Row[]) => rs.map((r) => ({ features: r.features(), click: r.click }));
        const testFeatures = test.map((t) => t.features());
        const profileTrain = asProfile(trainRows);
        const profileValid = asProfile(split.valid.map((i) => rows[i]!));
        if (split.warm) {
          // matrix factorisation of the warm rows: an FM on one-hot user and item ids is a biased logistic MF;
          // a cold user (item) has no factors, so it scores by the other side's bias and factors alone
          const ids = (r: Row) => ({ features: [`user=${r.user}`, `item=${r.item}`], click: r.click });
          const mf = trainProfileModel(split.warm.map((i) => ids(rows[i]!)), split.valid.map((i) => ids(rows[i]!)), { kind: 'fm', factors: 16, epochs: 200, lr: 0.5, l2: 1e-4, seed });
          results[MF_NAME]!.push(clickMetrics(us, mf.predict(test.map((t) => ids(t).features)), labels));
        }
        for (const pm of PROFILE_MODELS) {
          const model = trainProfileModel(profileTrain, profileValid, { ...pm.o, seed });
          results[pm.name]!.push(clickMetrics(us, model.predict(testFeatures), labels));
        }
        const texts = test.map((t) => t.texts());
        for (const lm of lms) {
          results[cosineName(lm.name)]!.push(clickMetrics(us, profileCosineScores(lm.model, lm.tok, texts.map((t) => t.user), texts.map((t) => t.item)), labels));
        }
        for (const lm of lms) {
          // every test row's prompt is needed only by the tuned scorers; zero-shot builds those of unscored rows
          let built: string[] | undefined;
          const prompts = () => (built ??= test.map((t) => t.prompt(lm.tokens)));
          const cache = zeroShot.get(lm.name) ?? new RowScores(rows.length);
          zeroShot.set(lm.name, cache);
          const { scores: p } = cache.get(testIdx, (fresh) => {
            const freshPrompts = fresh.map((k) => test[k]!.prompt(lm.tokens));
            const bar = ctx.progress.start(`seed ${seed}: ${lm.name}`, fresh.length);
            const t0 = performance.now();
            const out = scorePrompts(lm.model, lm.tok, freshPrompts, { batchSize: 64, progress: bar });
            seedScoring[lm.name] = { rows: fresh.length, seconds: (performance.now() - t0) / 1000 };
            addScoring(lm.name, fresh.length, seedScoring[lm.name]!.seconds);
            bar.finish();
            return out;
          });
          results[lm.name]!.push(clickMetrics(us, p, labels));
          const asRows = (rs: readonly Row[]) => rs.map((r) => ({ prompt: r.prompt(lm.tokens), click: r.click }));
          const valid = asRows(split.valid.map((i) => rows[i]!));
          if (fewShot) {
            const tuned = await tunePrompt(lm.model, lm.tok, asRows(split.train.map((i) => rows[i]!)), valid, { seed, epochs: TUNE_EPOCHS[profile]!, patience: 3 });
            results[tunedName(lm.name)]!.push(clickMetrics(us, scorePrompts(lm.model, lm.tok, prompts(), { batchSize: 64, prompt: tuned.prompt }), labels));
            tuned.prompt.dispose();
          }
          if (tppt) {
            // the prompt learns the task on source-domain rows; the target's 50 validation rows only pick the epoch
            const srcRng = new Rng(seed).fork('tppt-source');
            const src = srcRng.permutation(sourceRows.length).slice(0, TPPT_ROWS[profile]!).map((i) => sourceRows[i]!);
            const prompt = TransferablePrompt.create(lm.model, lm.tok, { keywords }, new Rng(seed).fork('tppt'));
            await tunePrompt(lm.model, lm.tok, asRows(src), valid, { seed, prompt, epochs: TPPT_EPOCHS[profile]!, patience: 2 });
            results[transferName(lm.name)]!.push(clickMetrics(us, scorePrompts(lm.model, lm.tok, prompts(), { batchSize: 64, prompt }), labels));
            prompt.dispose();
          }
        }
        const seedResults = Object.fromEntries(Object.entries(results).filter(([m, r]) => r.length > before[m]!).map(([m, r]) => [m, r[r.length - 1]!]));
        await writeFileAtomic(file, `${JSON.stringify({ seed, settings, results: seedResults, scoring: seedScoring }, null, 1)}\n`);
        task.tick(1, { seed });
      }
    } finally {
      for (const lm of lms) lm.model.dispose();
      task.finish();
    }
    const pairsPerSecond = Object.fromEntries(Object.entries(scoring).map(([m, v]) => [m, v.rows / v.seconds]));
    const summary = Object.fromEntries(Object.entries(results).map(([m, rs]) => [m, Object.fromEntries(METRICS.map((k) => [k, { mean: mean(rs.map((x) => x[k])), std: std(rs.map((x) => x[k])) }]))]));
    const goals: { name: string; pass: boolean; value: { mean: number; std: number } }[] = lms.map((lm) => {
      const zs = summary[lm.name]!.gauc!;
      return { name: `${lm.name} GAUC above random (0.5) by more than two seed standard deviations`, pass: zs.mean - 0.5 > 2 * zs.std, value: zs };
    });
    for (const lm of lms) {
      for (const [on, name] of [[fewShot, tunedName(lm.name)], [tppt, transferName(lm.name)]] as const) {
        if (!on) continue;
        const t = summary[name]!.gauc!;
        goals.push({ name: `${name} GAUC above ${lm.name}`, pass: t.mean > summary[lm.name]!.gauc!.mean, value: t });
      }
    }
    if (protocol === 'user') {
      for (const lm of lms) {
        for (const name of [lm.name, ...(fewShot ? [tunedName(lm.name)] : [])]) {
          const g = summary[name]!.gauc!;
          goals.push({ name: `${name} GAUC above popularity in user cold start`, pass: g.mean > summary.popularity!.gauc!.mean, value: g });
        }
      }
    }
    const fmt = (v: { mean: number; std: number }) => `${v.mean.toFixed(4)} ± ${v.std.toFixed(4)}`;
    const md = [
      `# Cold-start recommendation: ${dataset === 'ml-100k' ? 'MovieLens-100K' : 'UCI in-vehicle coupons'}, ${protocol} cold start (${profile})`,
      '',
      `Seeds ${seeds.join(', ')}; ${protocol === 'system' ? `per seed 250 training / 50 validation rows, test rows: ${Number.isFinite(TEST_ROWS[profile]!) ? `the first ${TEST_ROWS[profile]} of the shuffled rest` : 'all the rest'}` : `per seed 20% of the ${protocol}s are cold: their rows are the test rows (${Number.isFinite(TEST_ROWS[profile]!) ? `a random ${TEST_ROWS[profile]} of them` : 'all'}), never seen in training; 250 training / 50 validation rows are drawn from the warm rows, and popularity and matrix factorisation (an FM on one-hot user and item ids, 16 factors) train on every warm row`}; click = ${dataset === 'ml-100k' ? 'rating ≥ 4' : 'Y (the driver accepts the coupon)'}. Zero-shot: p(like) = σ(z(" positive") − z(" negative")) of the next token after the PromptRec prompt's causal suffix (xrec-base), at its mask (xrec-base-mlm). Few-shot: a soft prompt of 8 tokens tuned on the seed's 250 training rows (model frozen; label smoothing 0.1, AdamW lr ${PROMPT_TUNE_LR}, at most ${TUNE_EPOCHS[profile]} epoch(s), the epoch with the best validation AUC kept). TPPT: task vectors + γ ⊙ D + β (D: the embeddings of the ${dataset} items' top TF-IDF words: ${keywords.slice(0, 8).join(', ')}, …) trained on ${TPPT_ROWS[profile]} ${source} rows per seed (lr ${PROMPT_TUNE_LR}) for at most ${TPPT_EPOCHS[profile]} epoch(s), the epoch picked on the target's 50 validation rows.${tppt ? '' : ' (TPPT off: the source dataset is missing or tppt: false.)'} Profile cosine: cos(user sentence, item sentence) · 0.5 + 0.5 of the model's mean-pooled final hidden states (the reference's PairwiseContent, which takes BERT's pooler). Profile baselines: a logistic regression and a factorization machine (8 factors) on one-hot features of the verbalizer's slots, trained on the same 250 rows (full-batch gradient descent, L2 1e-3, the epoch with the best validation AUC kept). NDCG@10 / HR@10: per user, the user's test rows ranked by score, over the users with a clicked and an unclicked test row. Zero-shot pairs/s (every row scored in this run, each once): ${Object.entries(pairsPerSecond).map(([k, v]) => `${k.replace('zero-shot ', '')} ${v.toFixed(0)}`).join(', ')}.`,
      '',
      `| Method | ${METRICS.map((m) => HEADERS[m]).join(' | ')} |`,
      `|---|${METRICS.map(() => '---').join('|')}|`,
      ...Object.entries(summary).map(([m, s]) => `| ${m} | ${METRICS.map((k) => fmt(s[k]!)).join(' | ')} |`),
      '',
      ...goals.map((g) => `Goal: ${g.name}: **${g.pass ? 'PASS' : 'FAIL'}** (GAUC ${fmt(g.value)}).`),
      '',
    ].join('\n');
    const svg = groupedBarChartSvg('GAUC and AUC per method (mean over seeds)', Object.keys(summary), ['gauc', 'auc'].map((k) => ({ label: k.toUpperCase(), values: Object.values(summary).map((s) => s[k]!.mean) })));
    const reportFiles = await writeTaskReport(ctx.out, { md, json: { format: 'xrec-bench-coldstart', version: 1, dataset, protocol, profile, seeds, summary, perSeed: results, goals, pairsPerSecond, scoring }, chart: { file: 'gauc.svg', svg } });
    return { reportFiles, summary: { gauc: Object.fromEntries(Object.entries(summary).map(([m, s]) => [m, s.gauc!.mean])), goal: goals.every((g) => g.pass) } };
  },
});
