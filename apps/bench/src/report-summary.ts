/**
 * Summaries of `xrec bench explain` runs: per method, every metric as mean ± std over seeds and splits (plus
 * the popularity groups, repetition, training time and throughput), the table's metric order and headers, and
 * the cell formatting the report uses.
 */
import type { ExplanationMetrics } from '@xrec/metrics';
import { explainMethods } from './methods/registry.js';
import type { ExplainMethod } from './methods/method.js';
import { GROUP_NAMES, type GroupName } from './quality.js';
import type { MethodId, RunResult } from './types.js';

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

export const HEADERS: Readonly<Record<MetricKey | 'usn', string>> = {
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

/** The registry entry of a method id (undefined for ids no longer registered, e.g. in old reports). */
export function methodOf(id: MethodId): ExplainMethod | undefined {
  return explainMethods().find((m) => m.id === id);
}

/** A method's label from the registry (its id when unknown). */
export function methodLabel(id: MethodId): string {
  return methodOf(id)?.label ?? id;
}

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
  /** Share of explanations repeating one token 4+ times in a row. */
  readonly repetition: MeanStd;
  /** Metrics per popularity / activity group. */
  readonly groups: Partial<Record<GroupName, Partial<Record<MetricKey, MeanStd>>>>;
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
      const groups: MethodSummary['groups'] = {};
      for (const g of GROUP_NAMES) {
        const ms = rs.map((r) => r.groups?.[g]).filter((x): x is ExplanationMetrics => x !== undefined);
        if (ms.length === 0) continue;
        const gm: Partial<Record<MetricKey, MeanStd>> = {};
        for (const k of TABLE_METRICS) {
          const xs = ms.map((m) => m[k]).filter((x): x is number => typeof x === 'number');
          if (xs.length > 0) gm[k] = meanStd(xs);
        }
        groups[g] = gm;
      }
      return {
        method,
        label: methodLabel(method),
        baseModel: rs[0]?.baseModel ?? 'none',
        runs: rs.length,
        metrics,
        trainMinutes: meanStd(rs.map((r) => r.timings.trainSeconds / 60)),
        cpuMinutes: meanStd(rs.map((r) => (r.timings.cpuSeconds ?? Number.NaN) / 60)),
        tokensPerSecond: meanStd(rs.map((r) => r.tokensPerSecond)),
        epochs: meanStd(rs.map((r) => r.epochs.length)),
        repetition: meanStd(rs.map((r) => r.repetition ?? Number.NaN)),
        groups,
      };
    })
    .filter((s) => s.runs > 0);
}

export function digits(k: string): number {
  return k.startsWith('bleu') || k.startsWith('rouge') ? 2 : k === 'usn' ? 0 : k === 'div' ? 3 : 4;
}

export function cell(m: MeanStd | undefined, d: number): string {
  if (!m || m.n === 0) return '—';
  return m.n > 1 ? `${m.mean.toFixed(d)} ± ${m.std.toFixed(d)}` : m.mean.toFixed(d);
}
