/**
 * report.json / report.md / charts of `xrec bench explain`. The table follows the PEPLER paper's layout
 * (explainability: FMR, FCR, DIV, USR; text quality: BLEU-1/4, ROUGE-1/2/L), every value as
 * mean ± std over seeds and splits, plus RMSE/MAE for the rating variants, training minutes and tokens/s.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '@xrec/core';
import type { ExplanationMetrics } from '@xrec/metrics';
import type { BenchExplainResult, RunResult } from './run-explain.js';
import type { MethodId } from './profiles.js';
import { groupedBarChartSvg, lineChartSvg, type LineSeries } from './svg.js';

export interface MeanStd {
  readonly mean: number;
  readonly std: number;
  readonly n: number;
}

export type MetricKey = Exclude<keyof ExplanationMetrics, 'n'>;

export const TABLE_METRICS: readonly MetricKey[] = [
  'bleu1',
  'bleu4',
  'usr',
  'fmr',
  'fcr',
  'div',
  'rouge1_f',
  'rouge1_p',
  'rouge1_r',
  'rouge2_f',
  'rouge2_p',
  'rouge2_r',
  'rougeL_f',
  'rougeL_p',
  'rougeL_r',
  'rmse',
  'mae',
];

const HEADERS: Readonly<Record<MetricKey | 'usn', string>> = {
  bleu1: 'BLEU-1',
  bleu4: 'BLEU-4',
  usr: 'USR',
  usn: 'USN',
  fmr: 'FMR',
  fcr: 'FCR',
  div: 'DIV↓',
  rouge1_f: 'R1-F',
  rouge1_p: 'R1-P',
  rouge1_r: 'R1-R',
  rouge2_f: 'R2-F',
  rouge2_p: 'R2-P',
  rouge2_r: 'R2-R',
  rougeL_f: 'RL-F',
  rougeL_p: 'RL-P',
  rougeL_r: 'RL-R',
  rmse: 'RMSE↓',
  mae: 'MAE↓',
};

export const METHOD_LABELS: Readonly<Record<MethodId, string>> = {
  retrieval: 'Retrieval baseline',
  'pepler-d': 'PEPLER-D',
  pepler: 'PEPLER',
  'pepler-lora': 'PEPLER (LoRA stage 2, xrec ext.)',
  'pepler-mf': 'PEPLER-MF',
  'pepler-mlp': 'PEPLER-MLP',
  'pepler-stories': 'PEPLER on stories260K',
  'pepler-nopretrain': 'PEPLER, no pre-training',
};

export function meanStd(xs: readonly number[]): MeanStd {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { mean: Number.NaN, std: Number.NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, std, n: v.length };
}

export interface MethodSummary {
  readonly method: MethodId;
  readonly label: string;
  readonly baseModel: RunResult['baseModel'];
  readonly runs: number;
  readonly metrics: Partial<Record<MetricKey | 'usn', MeanStd>>;
  readonly trainMinutes: MeanStd;
  /** CPU minutes of the whole run (training + generation): its cost on an idle core. */
  readonly cpuMinutes: MeanStd;
  readonly tokensPerSecond: MeanStd;
  readonly epochs: MeanStd;
}

export function summarize(runs: readonly RunResult[], methods: readonly MethodId[]): MethodSummary[] {
  return methods
    .map((method) => {
      const rs = runs.filter((r) => r.method === method);
      const metrics: Partial<Record<MetricKey | 'usn', MeanStd>> = {};
      for (const k of [...TABLE_METRICS, 'usn'] as const) {
        const xs = rs.map((r) => r.metrics[k]).filter((x): x is number => typeof x === 'number');
        if (xs.length > 0) metrics[k] = meanStd(xs);
      }
      return {
        method,
        label: METHOD_LABELS[method],
        baseModel: rs[0]?.baseModel ?? 'none',
        runs: rs.length,
        metrics,
        trainMinutes: meanStd(rs.map((r) => r.timings.trainSeconds / 60)),
        cpuMinutes: meanStd(rs.map((r) => (r.timings.cpuSeconds ?? Number.NaN) / 60)),
        tokensPerSecond: meanStd(rs.map((r) => r.tokensPerSecond)),
        epochs: meanStd(rs.map((r) => r.epochs.length)),
      };
    })
    .filter((s) => s.runs > 0);
}

function digits(k: string): number {
  return k.startsWith('bleu') || k.startsWith('rouge') ? 2 : k === 'usn' ? 0 : k === 'div' ? 3 : 4;
}

function cell(m: MeanStd | undefined, d: number): string {
  if (!m || m.n === 0) return '—';
  return m.n > 1 ? `${m.mean.toFixed(d)} ± ${m.std.toFixed(d)}` : m.mean.toFixed(d);
}

/** Checks of the goals, computed from the summaries. */
export function goalChecks(sum: readonly MethodSummary[]): string[] {
  const by = new Map(sum.map((s) => [s.method, s]));
  const val = (m: MethodId, k: MetricKey): number | undefined => by.get(m)?.metrics[k]?.mean;
  const lines: string[] = [];
  const ablation = by.get('pepler-nopretrain');
  const variants = sum.filter((s) => s.method.startsWith('pepler') && s.method !== 'pepler-nopretrain');
  if (ablation) {
    for (const v of variants) {
      for (const k of ['bleu4', 'rougeL_f'] as const) {
        const a = val(v.method, k);
        const b = val('pepler-nopretrain', k);
        if (a === undefined || b === undefined) continue;
        lines.push(`- ${a > b ? 'PASS' : 'FAIL'}: ${v.label} ${HEADERS[k]} ${a.toFixed(2)} vs no pre-training ${b.toFixed(2)}`);
      }
    }
  }
  if (by.get('retrieval') && variants.length > 0) {
    const best = [...variants].sort((x, y) => (val(y.method, 'bleu4') ?? -1) - (val(x.method, 'bleu4') ?? -1))[0]!;
    for (const k of ['bleu4', 'rougeL_f', 'usr'] as const) {
      const a = val(best.method, k);
      const b = val('retrieval', k);
      if (a === undefined || b === undefined) continue;
      lines.push(`- ${a > b ? 'PASS' : 'FAIL'}: best variant by BLEU-4 (${best.label}) ${HEADERS[k]} ${a.toFixed(k === 'usr' ? 4 : 2)} vs retrieval ${b.toFixed(k === 'usr' ? 4 : 2)}`);
    }
  }
  return lines;
}

const BASE_LABELS: Readonly<Record<RunResult['baseModel'], string>> = {
  none: '—',
  'gpt2-pretrained': '(a) GPT-2-style, pre-trained on train split',
  stories260K: '(b) stories260K + tok512',
  'gpt2-random': '(c) same as (a), random init',
};

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
    const runs = r.runs.filter((x) => x.split === sp.split).map((x) => ({ d: (x.timings.cpuSeconds ?? x.timings.totalSeconds) + startup, base: x.baseModel === 'gpt2-pretrained' }));
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

export function markdownReport(r: Omit<BenchExplainResult, 'reportFiles'>, sum: readonly MethodSummary[]): string {
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
      'Train min: wall-clock training time (longer when other work shares the machine); CPU min: CPU time of the whole run (training + generation); tokens/s: scored training tokens per second of wall time.',
  );
  L.push('');
  const cols = ['Method', 'Base LM', ...TABLE_METRICS.map((k) => HEADERS[k]), 'Train min', 'CPU min', 'Tokens/s'];
  L.push(`| ${cols.join(' | ')} |`);
  L.push(`|${cols.map(() => '---').join('|')}|`);
  for (const s of sum) {
    const cells = [s.label, BASE_LABELS[s.baseModel], ...TABLE_METRICS.map((k) => cell(s.metrics[k], digits(k))), cell(s.trainMinutes, 2), cell(s.cpuMinutes, 2), cell(s.tokensPerSecond, 0)];
    L.push(`| ${cells.join(' | ')} |`);
  }
  L.push('');
  const checks = goalChecks(sum);
  if (checks.length > 0) {
    L.push('## Goals (issue 8)', '', ...checks, '');
  }
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
    series.push({ name: 'base LM pre-training', points: firstSplit.pretrain.epochs.map((e, i) => [i + 1, e.valLoss ?? Number.NaN] as const) });
  }
  for (const m of r.methods) {
    if ((m === 'pepler-mf' || m === 'pepler-mlp') !== rating) continue;
    const run = r.runs.find((x) => x.method === m && x.split === (firstSplit?.split ?? 1) && x.seed === 1);
    if (!run || run.epochs.length === 0) continue;
    series.push({ name: METHOD_LABELS[m], points: run.epochs.map((e, i) => [i + 1, e.valLoss ?? Number.NaN] as const) });
  }
  return series;
}

/** Write report.json, report.md, val-loss.svg, metrics.svg and val-loss-rating.svg; returns their paths. */
export async function writeReport(out: string, r: Omit<BenchExplainResult, 'reportFiles'>): Promise<string[]> {
  const sum = summarize(r.runs, r.methods);
  const files = ['report.json', 'report.md', 'val-loss.svg', 'metrics.svg', 'val-loss-rating.svg'].map((f) => join(out, f));
  await writeFileAtomic(files[0]!, JSON.stringify({ format: 'xrec-bench-explain', format_version: 1, ...r, summary: sum }, null, 1));
  await writeFileAtomic(files[1]!, markdownReport(r, sum));
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
