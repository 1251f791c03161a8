// A report's interactive bar chart (Chart.js, bundled): one numeric column, picked in a select, one bar per row, tooltips on.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import type { BenchReport } from '../../src/schemas.js';
import { field, h } from './dom.js';
import { cellText, numericColumns } from './bench-table.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

/** The select and the chart, or null when the report has no numeric column. */
export function benchChart(r: BenchReport): HTMLElement | null {
  const numeric = numericColumns(r);
  if (numeric.length === 0 || r.rows.length === 0) return null;
  const labelCols = r.columns.map((_, i) => i).filter((i) => !numeric.includes(i));
  const labels = r.rows.map((row, n) => (labelCols.length ? labelCols.map((i) => cellText(row[i] ?? null)).join(' · ') : `row ${n + 1}`));
  const lower = new Set(r.lowerIsBetter);

  const select = h('select', { 'data-testid': 'bench-metric' }, ...numeric.map((i) => h('option', { value: i }, r.columns[i] ?? `column ${i}`)));
  const canvas = h('canvas', { 'data-testid': 'bench-chart', 'data-report': r.id, role: 'img' });
  const box = h('div', { class: 'chart-box' }, canvas);

  const series = (col: number): { name: string; data: (number | null)[] } => {
    const name = r.columns[col] ?? `column ${col}`;
    return { name: lower.has(name) ? `${name} (lower is better)` : name, data: r.rows.map((row) => { const v = row[col]; return typeof v === 'number' ? v : null; }) };
  };
  const first = series(numeric[0] ?? 0);
  const chart = new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label: first.name, data: first.data, backgroundColor: '#3b6ea5', borderColor: '#24496f', borderWidth: 1 }] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      // no growing bars for people who ask for less motion (and for screenshots)
      animation: matchMedia('(prefers-reduced-motion: reduce)').matches ? false : { duration: 300 },
      plugins: { tooltip: { enabled: true }, legend: { display: false } },
      scales: { x: { ticks: { autoSkip: false, maxRotation: 60 } }, y: { beginAtZero: true, title: { display: true, text: first.name } } },
    },
  });
  const describe = (name: string): void => canvas.setAttribute('aria-label', `Bar chart of ${name} for each row of ${r.title}; the table above has the same numbers.`);
  describe(first.name);

  select.addEventListener('change', () => {
    const s = series(Number(select.value));
    const ds = chart.data.datasets[0];
    if (ds) {
      ds.label = s.name;
      ds.data = s.data;
    }
    const y = chart.options.scales?.['y'];
    if (y && 'title' in y && y.title) y.title.text = s.name;
    describe(s.name);
    chart.update();
  });

  return h('div', { class: 'chart' }, field('Metric', select), box);
}
