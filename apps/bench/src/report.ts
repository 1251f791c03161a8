/**
 * report.json / report.md / charts of `xrec bench explain`. The table follows the PEPLER paper's layout
 * (explainability: FMR, FCR, DIV, USR; text quality: BLEU-1/4, ROUGE-1/2/L), every value as
 * mean ± std over seeds and splits, plus RMSE/MAE for the rating variants, training minutes and tokens/s.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@xrec/core';
import { BASE_MODEL_LABELS } from './base-models.js';
import type { GroupName } from './quality.js';
import { cell, digits, HEADERS, methodLabel, methodOf, summarize, TABLE_METRICS, type MethodSummary, type MetricKey } from './report-summary.js';
import type { BenchExplainResult, MethodId } from './types.js';
import { groupedBarChartSvg, lineChartSvg, type LineSeries } from './svg.js';

/** USR a PEPLER / PEPLER-D row must reach. */
export const USR_GOAL = 0.1;
/** Largest share of explanations with a token repeated 4+ times in a row. */
export const REPETITION_GOAL = 0.01;

/**
 * The goals, from the summaries and the methods' roles in the registry: every `variant` beats the
 * `random-init` ablation on BLEU-4 and ROUGE-L, has FMR and FCR above zero and fewer than 1% repetitive
 * explanations; the best variant by BLEU-4 beats the `baseline` on BLEU-4 and ROUGE-L; rows marked `usrGoal`
 * reach USR ≥ 0.10.
 */
export function goalChecks(sum: readonly MethodSummary[]): string[] {
  const val = (s: MethodSummary | undefined, k: MetricKey): number | undefined => s?.metrics[k]?.mean;
  const role = (s: MethodSummary): string | undefined => methodOf(s.method)?.role;
  const lines: string[] = [];
  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
  const ablation = sum.find((s) => role(s) === 'random-init');
  const baseline = sum.find((s) => role(s) === 'baseline');
  const variants = sum.filter((s) => role(s) === 'variant');
  for (const v of variants) {
    if (ablation) {
      for (const k of ['bleu4', 'rougeL_f'] as const) {
        const a = val(v, k);
        const b = val(ablation, k);
        if (a === undefined || b === undefined) continue;
        lines.push(`- ${verdict(a > b)}: ${v.label} ${HEADERS[k]} ${a.toFixed(2)} vs no pre-training ${b.toFixed(2)}`);
      }
    }
    for (const k of ['fmr', 'fcr'] as const) {
      const a = val(v, k);
      if (a !== undefined) lines.push(`- ${verdict(a > 0)}: ${v.label} ${HEADERS[k]} ${a.toFixed(4)} > 0`);
    }
    const rep = v.repetition.mean;
    if (Number.isFinite(rep)) lines.push(`- ${verdict(rep < REPETITION_GOAL)}: ${v.label} repeats a token 4+ times in a row in ${(100 * rep).toFixed(2)}% of explanations (goal < ${100 * REPETITION_GOAL}%)`);
    if (methodOf(v.method)?.usrGoal) {
      const u = val(v, 'usr');
      if (u !== undefined) lines.push(`- ${verdict(u >= USR_GOAL)}: ${v.label} USR ${u.toFixed(4)} (goal ≥ ${USR_GOAL.toFixed(2)})`);
    }
  }
  if (baseline && variants.length > 0) {
    const best = [...variants].sort((x, y) => (val(y, 'bleu4') ?? -1) - (val(x, 'bleu4') ?? -1))[0]!;
    for (const k of ['bleu4', 'rougeL_f'] as const) {
      const a = val(best, k);
      const b = val(baseline, k);
      if (a === undefined || b === undefined) continue;
      lines.push(`- ${verdict(a > b)}: best variant by BLEU-4 (${best.label}) ${HEADERS[k]} ${a.toFixed(2)} vs ${baseline.label.toLowerCase()} ${b.toFixed(2)}`);
    }
  }
  return lines;
}

const GROUP_PAIRS: readonly { title: string; a: GroupName; b: GroupName; aName: string; bName: string }[] = [
  { title: 'item popularity', a: 'itemHead', b: 'itemTail', aName: 'head items', bName: 'tail items' },
  { title: 'user activity', a: 'userActive', b: 'userInactive', aName: 'active users', bName: 'other users' },
];
const GROUP_METRICS: readonly MetricKey[] = ['bleu4', 'rougeL_f', 'usr', 'fmr', 'fcr'];

/** The popularity-bias section: each metric for head vs tail items and active vs other users, with the gap. */
export function popularitySection(sum: readonly MethodSummary[]): string[] {
  const L: string[] = [];
  for (const gp of GROUP_PAIRS) {
    const rows = sum.filter((s) => s.groups[gp.a] && s.groups[gp.b]);
    if (rows.length === 0) continue;
    L.push(`### By ${gp.title} (${gp.aName} = top 20% by training records)`, '');
    const cols = ['Method', ...GROUP_METRICS.flatMap((k) => [`${HEADERS[k]} ${gp.aName}`, `${HEADERS[k]} ${gp.bName}`, `${HEADERS[k]} gap`])];
    L.push(`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`);
    for (const s of rows) {
      const cells = [s.label];
      for (const k of GROUP_METRICS) {
        const a = s.groups[gp.a]?.[k]?.mean;
        const b = s.groups[gp.b]?.[k]?.mean;
        const d = digits(k);
        cells.push(a === undefined ? '—' : a.toFixed(d), b === undefined ? '—' : b.toFixed(d), a === undefined || b === undefined ? '—' : (a - b >= 0 ? '+' : '') + (a - b).toFixed(d));
      }
      L.push(`| ${cells.join(' | ')} |`);
    }
    L.push('');
  }
  if (L.length > 0) L.unshift('## Popularity bias', '', 'Every metric on the test rows of head vs tail items and of active vs other users; gap = head − tail (positive: the popular group gets better explanations).', '');
  return L;
}

/** A few generated explanations beside their references (split 1, seed 1). */
export interface SampleRow {
  readonly user: string;
  readonly item: string;
  readonly reference: string;
  readonly generated: Readonly<Record<MethodId, string>>;
}

function sampleSection(samples: readonly SampleRow[], methods: readonly MethodId[]): string[] {
  if (samples.length === 0) return [];
  const shown = methods.filter((m) => samples.some((s) => s.generated[m] !== undefined));
  const esc = (t: string): string => t.replace(/\|/g, '\\|');
  const cols = ['User', 'Item', 'Reference', ...shown.map(methodLabel)];
  const L = ['## Sample explanations (split 1, seed 1, first test rows)', '', `| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`];
  for (const s of samples) L.push(`| ${[s.user, s.item, s.reference, ...shown.map((m) => s.generated[m] ?? '—')].map(esc).join(' | ')} |`);
  L.push('');
  return L;
}

/** The first `n` test rows of split 1 / seed 1 with every method's explanation (read from generated.jsonl). */
export function readSamples(out: string, r: Pick<BenchExplainResult, 'runs'>, n = 6): SampleRow[] {
  const runs = r.runs.filter((x) => x.seed === 1 && x.split === Math.min(...r.runs.map((y) => y.split)));
  const rows: { user: string; item: string; reference: string; generated: Record<string, string> }[] = [];
  for (const run of runs) {
    const file = join(out, run.generated);
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, n);
    lines.forEach((l, i) => {
      const j = JSON.parse(l) as { user: string; item: string; reference: string; generated: string };
      rows[i] ??= { user: j.user, item: j.item, reference: j.reference, generated: {} };
      rows[i]!.generated[run.method] = j.generated;
    });
  }
  return rows;
}

/**
 * Wall time the runs would take on an idle machine with `lanes` cores (one run per core, as `--jobs`):
 * list-schedule the measured CPU seconds — pre-training first, runs needing base model (a) after it,
 * longest first — plus `startup` seconds per worker. CPU time does not grow when other work shares the
 * machine, so this estimate is what an idle machine shows when the measured wall time is inflated by load.
 */
export function estimateIdleWallSeconds(r: Pick<BenchExplainResult, 'runs' | 'splits'>, lanes: number, startup = 3): number {
  let total = 0;
  for (const sp of r.splits) {
    const pre = sp.pretrain ? (sp.pretrain.cpuSeconds ?? sp.pretrain.seconds) : 0;
    const runs = r.runs.filter((x) => x.split === sp.split).map((x) => ({ d: (x.timings.cpuSeconds ?? x.timings.totalSeconds) + startup, base: x.baseModel === 'split-lm' }));
    runs.sort((a, b) => b.d - a.d);
    const free = new Array<number>(Math.max(1, lanes)).fill(0);
    free[0] = pre;
    const pick = (): number => free.indexOf(Math.min(...free));
    for (const j of runs) {
      const k = pick();
      const start = j.base ? Math.max(free[k]!, pre) : free[k]!;
      free[k] = start + j.d;
    }
    total += Math.max(...free);
  }
  return total;
}

export function markdownReport(r: Omit<BenchExplainResult, 'reportFiles'>, sum: readonly MethodSummary[], samples: readonly SampleRow[] = []): string {
  const L: string[] = [];
  L.push(`# xrec bench explain — ${r.dataset.name} (${r.profile.name} profile)`);
  L.push('');
  if (r.command) L.push(`Command: \`${r.command}\``, '');
  L.push(
    `Dataset: ${r.dataset.name} (${r.dataset.records} records, ${r.dataset.features} features, ratings ${r.dataset.ratingRange[0]}–${r.dataset.ratingRange[1]}), ` +
      `${r.splits.length} split(s) × ${r.seeds} seed(s), ${r.concurrency} run(s) at a time.`,
  );
  L.push('');
  L.push('Invocations on this output directory (wall time; finished runs are reused):');
  for (const inv of r.invocations) {
    L.push(`- ${inv.startedAt}: ${(inv.wallSeconds / 60).toFixed(1)} min, ${inv.runsComputed} run(s) computed, ${inv.runsReused} reused, ${inv.concurrency} at a time`);
  }
  L.push('');
  const cpuMin = (r.runs.reduce((a, x) => a + (x.timings.cpuSeconds ?? 0), 0) + r.splits.reduce((a, sp) => a + (sp.pretrain?.cpuSeconds ?? 0), 0)) / 60;
  L.push(
    `CPU time of pre-training, training and generation (all runs, reused or not): ${cpuMin.toFixed(1)} min; estimated wall time from scratch on an idle machine with ${Math.max(2, r.concurrency)} cores and \`--jobs ${Math.max(2, r.concurrency)}\`: ` +
      `${(estimateIdleWallSeconds(r, Math.max(2, r.concurrency)) / 60).toFixed(1)} min (1-minute load average when the report was written: ${r.environment.loadAverage1m}).`,
  );
  L.push(
    `Backend: ${r.environment.backend} (tfjs ${r.environment.tfjs}), ${r.environment.cpus} × ${r.environment.cpu}, ${r.environment.memoryGiB} GiB, Node ${r.environment.node}.`,
  );
  if (r.baseModel) {
    L.push(`Base model of the PEPLER rows: xrec-base (\`${r.baseModel.dir}\`, ${r.baseModel.parameters.toLocaleString('en-US')} parameters, fingerprint ${r.baseModel.fingerprint}), pre-trained by \`xrec pretrain\` on the public corpus (no benchmark text); see its model card.`);
  }
  L.push('');
  for (const s of r.splits) {
    L.push(
      `- split ${s.split}: train ${s.rows.train}, validation ${s.rows.validation}, test ${s.rows.test} rows` +
        (s.dropped.test + s.dropped.validation > 0 ? ` (dropped for unseen user/item: validation ${s.dropped.validation}, test ${s.dropped.test})` : '') +
        (s.pretrain
          ? `; base LM (a) ${s.pretrain.config.nLayers}×${s.pretrain.config.dModel}, vocab ${s.pretrain.config.vocabSize}, pre-trained ${s.pretrain.epochs.length} epochs in ${(s.pretrain.seconds / 60).toFixed(1)} min at ${Math.round(s.pretrain.tokensPerSecond)} tokens/s${s.pretrain.reused ? ' (cached)' : ''}, best val loss ${Math.min(...s.pretrain.epochs.map((e) => e.valLoss ?? Infinity)).toFixed(3)}`
          : ''),
    );
  }
  L.push('');
  L.push(
    'BLEU and ROUGE in percent; USR, FMR, FCR as fractions; DIV lower is better. Mean ± std over seeds × splits. ' +
      'Train min: wall-clock training time (longer when other work shares the machine); CPU min: CPU time of the whole run (training + generation); tokens/s: scored training tokens per second of wall time; Rep: share of explanations repeating one token 4+ times in a row.',
  );
  L.push('');
  const cols = ['Method', 'Base LM', ...TABLE_METRICS.map((k) => HEADERS[k]), 'Rep', 'Train min', 'CPU min', 'Tokens/s'];
  L.push(`| ${cols.join(' | ')} |`);
  L.push(`|${cols.map(() => '---').join('|')}|`);
  for (const s of sum) {
    const cells = [s.label, BASE_MODEL_LABELS[s.baseModel] ?? s.baseModel, ...TABLE_METRICS.map((k) => cell(s.metrics[k], digits(k))), cell(s.repetition, 4), cell(s.trainMinutes, 2), cell(s.cpuMinutes, 2), cell(s.tokensPerSecond, 0)];
    L.push(`| ${cells.join(' | ')} |`);
  }
  L.push('');
  const checks = goalChecks(sum);
  if (checks.length > 0) {
    L.push('## Goals', '', ...checks, '');
  }
  L.push(...sampleSection(samples, r.methods));
  L.push(...popularitySection(sum));
  if (r.skipped.length > 0) {
    L.push('## Skipped', '', ...r.skipped.map((s) => `- ${s.method}: ${s.reason}`), '');
  }
  L.push('## Charts', '', '![validation loss](val-loss.svg)', '', '![validation loss of the rating variants](val-loss-rating.svg)', '', '![main metrics](metrics.svg)', '');
  L.push('## Runs', '');
  L.push('| Method | Split | Seed | Epochs | Train s | Generate s | Tokens/s | BLEU-4 | RL-F | generated |');
  L.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const x of r.runs) {
    L.push(
      `| ${x.method} | ${x.split} | ${x.seed} | ${x.epochs.length} | ${x.timings.trainSeconds.toFixed(0)} | ${x.timings.generateSeconds.toFixed(1)} | ${Math.round(x.tokensPerSecond)} | ${x.metrics.bleu4.toFixed(2)} | ${x.metrics.rougeL_f.toFixed(2)} | [jsonl](${x.generated}) |`,
    );
  }
  L.push('');
  L.push(
    'References are the test explanations cut to 20 tokens of the split\'s BPE tokenizer (as PEPLER cuts to 20 GPT-2 tokens); every method is trained on and scored against the same cut text. ' +
      'Metrics come from @xrec/metrics on each run\'s generated.jsonl; `xrec metrics explain --input <generated.jsonl> --features features.txt' +
      ` --min-rating ${r.dataset.ratingRange[0]} --max-rating ${r.dataset.ratingRange[1]}\` reproduces them.`,
  );
  L.push('');
  return L.join('\n');
}

/** Validation-loss series of split 1 / seed 1: text-only methods, or the rating variants (text + MSE). */
function valLossSeries(r: Omit<BenchExplainResult, 'reportFiles'>, rating: boolean): LineSeries[] {
  const series: LineSeries[] = [];
  const firstSplit = r.splits[0];
  if (firstSplit?.pretrain && !rating) {
    series.push({ name: 'base LM (a) pre-training', points: firstSplit.pretrain.epochs.map((e, i) => [i + 1, e.valLoss ?? Number.NaN] as const) });
  }
  for (const m of r.methods) {
    if ((methodOf(m)?.ratingHead ?? false) !== rating) continue;
    const run = r.runs.find((x) => x.method === m && x.split === (firstSplit?.split ?? 1) && x.seed === 1);
    if (!run || run.epochs.length === 0) continue;
    series.push({ name: methodLabel(m), points: run.epochs.map((e, i) => [i + 1, e.valLoss ?? Number.NaN] as const) });
  }
  return series;
}

/** Write report.json, report.md, val-loss.svg, metrics.svg and val-loss-rating.svg; returns their paths. */
export async function writeReport(out: string, r: Omit<BenchExplainResult, 'reportFiles'>): Promise<string[]> {
  const sum = summarize(r.runs, r.methods);
  const files = ['report.json', 'report.md', 'val-loss.svg', 'metrics.svg', 'val-loss-rating.svg'].map((f) => join(out, f));
  await writeFileAtomic(files[0]!, JSON.stringify({ format: 'xrec-bench-explain', format_version: 1, ...r, summary: sum }, null, 1));
  await writeFileAtomic(files[1]!, markdownReport(r, sum, readSamples(out, r)));
  await writeFileAtomic(
    files[2]!,
    lineChartSvg(`Validation loss per epoch (split ${r.splits[0]?.split ?? 1}, seed 1; stages concatenated)`, 'epoch', 'validation text loss', valLossSeries(r, false)),
  );
  await writeFileAtomic(
    files[4]!,
    lineChartSvg(`PEPLER-MF / -MLP validation loss (text + rating MSE, as reg.py)`, 'epoch', 'validation text + rating loss', valLossSeries(r, true)),
  );
  const groups: { label: string; key: MetricKey; scale: number }[] = [
    { label: 'BLEU-1', key: 'bleu1', scale: 1 },
    { label: 'BLEU-4', key: 'bleu4', scale: 1 },
    { label: 'ROUGE-1 F', key: 'rouge1_f', scale: 1 },
    { label: 'ROUGE-L F', key: 'rougeL_f', scale: 1 },
    { label: 'USR ×100', key: 'usr', scale: 100 },
    { label: 'FMR ×100', key: 'fmr', scale: 100 },
    { label: 'FCR ×100', key: 'fcr', scale: 100 },
    { label: 'DIV (lower better)', key: 'div', scale: 1 },
  ];
  await writeFileAtomic(
    files[3]!,
    groupedBarChartSvg(
      'Main metrics (mean over seeds × splits)',
      sum.map((s) => s.label),
      groups.map((g) => ({ label: g.label, values: sum.map((s) => (s.metrics[g.key]?.mean ?? Number.NaN) * g.scale) })),
    ),
  );
  return files;
}
