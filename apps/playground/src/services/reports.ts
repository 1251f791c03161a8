/**
 * The Benchmarks view's service: every `report.json` of the bench tasks — those shipped in apps/bench/results and
 * those under the models folder — as one table shape (columns, rows, which columns are better lower, goals).
 * Reports are read on each request, so a bench run that finishes while the server is up shows at once.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { goalChecks, TABLE_METRICS, type MethodSummary } from '@xrec/bench';
import type { BenchReport, CellValue } from '../schemas.js';

type Json = Record<string, unknown>;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function explainTable(r: Json): Omit<BenchReport, 'id' | 'source'> {
  const sum = r.summary as MethodSummary[];
  const metrics = [...TABLE_METRICS, 'rmse', 'mae'].filter((m) => sum.some((s) => (s.metrics as Record<string, { mean: number } | undefined>)[m] !== undefined));
  return {
    task: 'explain',
    title: `Explanations: ${(r.dataset as Json).name as string} (${(r.profile as Json).name as string})`,
    columns: ['method', 'base model', ...metrics],
    rows: sum.map((s) => [s.label, s.baseModel, ...metrics.map((m) => num((s.metrics as Record<string, { mean: number } | undefined>)[m]?.mean))]),
    lowerIsBetter: ['div', 'rmse', 'mae'].filter((m) => metrics.includes(m as never)),
    goals: goalChecks(sum).flatMap((l) => {
      const m = /^- (PASS|FAIL): (.*)$/.exec(l);
      return m ? [{ name: m[2]!, pass: m[1] === 'PASS' }] : [];
    }),
  };
}

function coldstartTable(r: Json): Omit<BenchReport, 'id' | 'source'> {
  const s = r.summary as Record<string, Record<string, { mean: number }>>;
  const metrics = ['auc', 'gauc', 'acc', 'f1', 'logloss'];
  return {
    task: 'coldstart',
    title: `Cold start: ${String(r.dataset)} (${String(r.profile)}, ${(r.seeds as unknown[]).length} seeds)`,
    columns: ['method', ...metrics],
    rows: Object.entries(s).map(([m, v]) => [m, ...metrics.map((k) => num(v[k]?.mean))]),
    lowerIsBetter: ['logloss'],
    goals: (r.goals as { name: string; pass: boolean }[]).map((g) => ({ name: g.name, pass: g.pass })),
  };
}

function recTable(r: Json): Omit<BenchReport, 'id' | 'source'> {
  const res = r.results as { method: string; metrics: Record<string, number> }[];
  const metrics = ['hit@1', 'hit@3', 'hit@5', 'hit@10', 'ndcg@5', 'ndcg@10'];
  return {
    task: 'rec',
    title: `Recommendation: ${String(r.dataset)} ${String(r.task)} (${String(r.profile)})`,
    columns: ['method', ...metrics],
    rows: res.map((x) => [x.method, ...metrics.map((k) => num(x.metrics[k]))]),
    lowerIsBetter: [],
    goals: ((r.goals as { name: string; pass: boolean }[] | undefined) ?? []).map((g) => ({ name: g.name, pass: g.pass })),
  };
}

function fairnessTable(r: Json): Omit<BenchReport, 'id' | 'source'> {
  const attrs = r.attributes as string[];
  const rows = r.rows as { method: string; auc: Record<string, number>; metrics: Record<string, number> }[];
  const metrics = ['hit@1', 'hit@5', 'ndcg@5'];
  return {
    task: 'fairness',
    title: `Fairness (UP5): ${r.dataset === 'ml-100k' ? 'MovieLens-100K' : 'Insurance'} (${String(r.profile)}, λ = ${String(r.lambda)})`,
    columns: ['method', ...attrs.map((a) => `AUC ${a}`), ...metrics],
    rows: rows.map((x) => [x.method, ...attrs.map((a) => num(x.auc[a])), ...metrics.map((k) => num(x.metrics[k]))]),
    lowerIsBetter: attrs.map((a) => `AUC ${a}`),
    goals: (r.goals as { name: string; pass: boolean }[]).map((g) => ({ name: g.name, pass: g.pass })),
  };
}

const ADAPTERS: Readonly<Record<string, (r: Json) => Omit<BenchReport, 'id' | 'source'>>> = {
  'xrec-bench-explain': explainTable,
  'xrec-bench-coldstart': coldstartTable,
  'xrec-bench-rec': recTable,
  'xrec-bench-fairness': fairnessTable,
};

/** report.json files under `dir`, at most `depth` folders down (run folders are not searched). */
function findReports(dir: string, depth: number): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && e.name === 'report.json') out.push(join(dir, e.name));
    else if (e.isDirectory() && depth > 0 && !['runs', 'p5', 'base', 'node_modules'].includes(e.name)) out.push(...findReports(join(dir, e.name), depth - 1));
  }
  return out.sort();
}

/** Every readable report under the given roots; unreadable or unknown files are skipped (and counted). */
export function readReports(roots: readonly { dir: string; label: string }[]): { reports: BenchReport[]; skipped: string[] } {
  const reports: BenchReport[] = [];
  const skipped: string[] = [];
  for (const root of roots) {
    for (const file of findReports(root.dir, 3)) {
      const source = `${root.label}/${relative(root.dir, file)}`;
      try {
        const r = JSON.parse(readFileSync(file, 'utf8')) as Json;
        const adapt = ADAPTERS[String(r.format)];
        if (!adapt) {
          skipped.push(source);
          continue;
        }
        const t = adapt(r);
        const rows = t.rows.map((row) => row.map((c): CellValue => (typeof c === 'number' ? Number(c.toPrecision(6)) : c)));
        reports.push({ id: source.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, ''), source, ...t, rows });
      } catch {
        skipped.push(source);
      }
    }
  }
  return { reports, skipped };
}
