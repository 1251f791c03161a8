// A benchmark report as a sortable table: click a column header to sort (numbers numerically, empty cells last); aria-sort follows.
import type { BenchReport, CellValue } from '../../src/schemas.js';
import { formatNumber, h } from './dom.js';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Compares two cells ascending: numbers numerically, strings naturally, numbers before strings; null is handled by the caller. */
function compare(a: Exclude<CellValue, null>, b: Exclude<CellValue, null>): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return collator.compare(a, b);
}

export const cellText = (c: CellValue): string => (c === null ? '–' : typeof c === 'number' ? formatNumber(c) : c);

/** Columns whose cells are all numbers or empty (and at least one number). */
export function numericColumns(r: BenchReport): number[] {
  return r.columns
    .map((_, i) => i)
    .filter((i) => r.rows.some((row) => typeof row[i] === 'number') && r.rows.every((row) => row[i] === null || row[i] === undefined || typeof row[i] === 'number'));
}

export function benchTable(report: BenchReport): HTMLElement {
  const lower = new Set(report.lowerIsBetter);
  const numeric = new Set(numericColumns(report));
  const tbody = h('tbody');
  const rows = report.rows.map((cells) =>
    h('tr', {}, ...report.columns.map((_, i) => {
      const c = cells[i] ?? null;
      return h(i === 0 ? 'th' : 'td', { class: numeric.has(i) || typeof c === 'number' ? 'num' : undefined, scope: i === 0 ? 'row' : undefined }, cellText(c));
    })),
  );
  tbody.append(...rows);

  let sortCol = -1;
  let ascending = true;
  const headers = report.columns.map((name, i) => {
    const btn = h('button', { type: 'button', class: 'sort' }, name, lower.has(name) ? h('span', { class: 'hint' }, ' (lower is better)') : null, h('span', { class: 'sort-icon', 'aria-hidden': 'true' }));
    const th = h('th', { scope: 'col', 'aria-sort': 'none' }, btn);
    btn.addEventListener('click', () => sortBy(i));
    return th;
  });

  function sortBy(col: number): void {
    ascending = sortCol === col ? !ascending : true;
    sortCol = col;
    const order = report.rows.map((r, i) => ({ v: r[col] ?? null, i }));
    order.sort((x, y) => {
      if (x.v === null || y.v === null) return x.v === y.v ? x.i - y.i : x.v === null ? 1 : -1; // empty cells always last
      const d = compare(x.v, y.v);
      return (ascending ? d : -d) || x.i - y.i;
    });
    tbody.replaceChildren(...order.map((o) => rows[o.i]).filter((r): r is HTMLTableRowElement => r !== undefined));
    headers.forEach((th, i) => {
      th.setAttribute('aria-sort', i === col ? (ascending ? 'ascending' : 'descending') : 'none');
      const icon = th.querySelector('.sort-icon');
      if (icon) icon.textContent = i === col ? (ascending ? ' ▲' : ' ▼') : '';
    });
  }

  return h('div', { class: 'table-wrap' },
    h('table', { class: 'bench', 'data-testid': 'bench-table', 'data-report': report.id },
      h('caption', { class: 'visually-hidden' }, `${report.title} (click a column header to sort)`),
      h('thead', {}, h('tr', {}, ...headers)),
      tbody,
    ),
  );
}
