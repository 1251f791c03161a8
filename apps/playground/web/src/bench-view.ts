// Benchmarks view: every report from /api/bench/reports as a sortable table, a bar chart of one metric, and its PASS/FAIL goals.
import type { BenchReport, ReportsResponse } from '../../src/schemas.js';
import * as api from './api.js';
import { h, type Child } from './dom.js';
import { benchChart } from './bench-chart.js';
import { benchTable } from './bench-table.js';
import { resultRegion, run } from './ui.js';

export function mountBench(root: HTMLElement): void {
  const result = resultRegion('bench-result', 'No report loaded yet.');
  const reload = h('button', { type: 'button', 'data-testid': 'bench-reload' }, 'Reload reports');
  const load = (): void => void run({ region: result, button: reload, request: (signal) => api.reports(signal), render: renderReports });
  reload.addEventListener('click', load);
  root.append(h('div', { class: 'actions' }, reload), result);
  load();
}

function renderReports(res: ReportsResponse): Child[] {
  if (res.reports.length === 0) return [h('p', { class: 'notice' }, 'No benchmark report found: run the benchmarks (pnpm bench) to write them.')];
  return res.reports.map(reportSection);
}

function goalsList(r: BenchReport): HTMLElement {
  if (r.goals.length === 0) return h('p', { class: 'muted' }, 'No goals in this report.');
  const passed = r.goals.filter((g) => g.pass).length;
  return h('div', { class: 'goals' },
    h('h4', {}, `Goals: ${passed} of ${r.goals.length} pass`),
    h('ul', { 'data-testid': 'bench-goals' },
      ...r.goals.map((g) => h('li', { class: g.pass ? 'pass' : 'fail' }, h('span', { class: 'badge' }, g.pass ? 'PASS' : 'FAIL'), ' ', g.name))),
  );
}

function reportSection(r: BenchReport): HTMLElement {
  const headingId = `report-${r.id}`;
  return h('section', { class: 'report', 'aria-labelledby': headingId, 'data-report': r.id },
    h('h3', { id: headingId, tabindex: -1 }, r.title),
    h('p', { class: 'hint' }, `Task ${r.task} · from ${r.source}`),
    benchTable(r),
    benchChart(r),
    goalsList(r),
  );
}
