/**
 * Minimal SVG charts written by hand (no dependencies): a line chart (validation loss per epoch per method)
 * a grouped bar chart (main metrics per method) and a scatter chart with labelled points (a trade-off).
 */
import { placeLabels } from './svg-labels.js';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
}

export interface LineSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/** A line chart; x and y ranges cover all points. */
export function lineChartSvg(title: string, xLabel: string, yLabel: string, series: readonly LineSeries[]): string {
  const W = 760;
  const H = 420;
  const m = { l: 60, r: 190, t: 40, b: 50 };
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const x0 = xs.length ? Math.min(...xs) : 0;
  const x1 = xs.length ? Math.max(...xs) : 1;
  let y0 = ys.length ? Math.min(...ys) : 0;
  let y1 = ys.length ? Math.max(...ys) : 1;
  if (y1 - y0 < 1e-9) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const px = (x: number): number => m.l + ((x - x0) / Math.max(1e-9, x1 - x0)) * (W - m.l - m.r);
  const py = (y: number): number => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2 - m.r / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`);
  out.push(`<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="black"/>`);
  out.push(`<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="black"/>`);
  for (let k = 0; k <= 4; k++) {
    const y = y0 + ((y1 - y0) * k) / 4;
    out.push(`<line x1="${m.l}" y1="${py(y)}" x2="${W - m.r}" y2="${py(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 6}" y="${py(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
  }
  const xTicks = Math.min(10, Math.max(1, x1 - x0));
  for (let k = 0; k <= xTicks; k++) {
    const x = x0 + ((x1 - x0) * k) / xTicks;
    out.push(`<text x="${px(x)}" y="${H - m.b + 16}" text-anchor="middle">${Number.isInteger(x) ? String(x) : fmt(x)}</text>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text x="16" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(m.t + H - m.b) / 2})">${esc(yLabel)}</text>`);
  series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length]!;
    const valid = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (valid.length > 0) {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${valid.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
      for (const [x, y] of valid) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const ly = m.t + 16 * k;
    out.push(`<rect x="${W - m.r + 12}" y="${ly - 9}" width="12" height="12" fill="${color}"/>`);
    out.push(`<text x="${W - m.r + 30}" y="${ly + 1}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export interface BarGroup {
  /** Group label (a metric). */
  readonly label: string;
  /** One value per series (method), in the order of `seriesNames`. */
  readonly values: readonly number[];
}

/** A grouped bar chart; each group has its own scale (values are labelled on the bars). */
export function groupedBarChartSvg(title: string, seriesNames: readonly string[], groups: readonly BarGroup[]): string {
  const groupW = Math.max(120, seriesNames.length * 18 + 30);
  const m = { l: 20, r: 190, t: 40, b: 40 };
  const W = m.l + m.r + groupW * groups.length;
  const H = 380;
  const plotH = H - m.t - m.b;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${(W - m.r) / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`);
  out.push(`<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="black"/>`);
  groups.forEach((g, gi) => {
    const finite = g.values.filter((v) => Number.isFinite(v));
    const max = Math.max(1e-9, ...finite.map((v) => Math.abs(v)));
    const gx = m.l + gi * groupW + 15;
    const bw = (groupW - 30) / Math.max(1, seriesNames.length);
    g.values.forEach((v, si) => {
      if (!Number.isFinite(v)) return;
      const h = (Math.abs(v) / max) * (plotH - 20);
      const x = gx + si * bw;
      const y = H - m.b - h;
      out.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[si % PALETTE.length]}"><title>${esc(seriesNames[si] ?? '')}: ${fmt(v)}</title></rect>`);
      out.push(`<text x="${(x + bw / 2).toFixed(1)}" y="${(y - 3).toFixed(1)}" text-anchor="middle" font-size="8" transform="rotate(-60 ${(x + bw / 2).toFixed(1)} ${(y - 3).toFixed(1)})">${fmt(v)}</text>`);
    });
    out.push(`<text x="${gx + (groupW - 30) / 2}" y="${H - m.b + 16}" text-anchor="middle">${esc(g.label)}</text>`);
  });
  seriesNames.forEach((name, k) => {
    const ly = m.t + 16 * k;
    out.push(`<rect x="${W - m.r + 12}" y="${ly - 9}" width="12" height="12" fill="${PALETTE[k % PALETTE.length]}"/>`);
    out.push(`<text x="${W - m.r + 30}" y="${ly + 1}">${esc(name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export interface ScatterSeries {
  readonly name: string;
  /** [x, y, label] per point (the label is written beside it). */
  readonly points: readonly (readonly [number, number, string])[];
}

/** A scatter chart with labelled points (labels kept apart, see svg-labels.ts); `band` shades an x interval (e.g. a target range), `hLine` draws a dashed threshold. */
export function scatterChartSvg(title: string, xLabel: string, yLabel: string, series: readonly ScatterSeries[], o: { band?: readonly [number, number]; hLine?: { readonly y: number; readonly label: string } } = {}): string {
  const W = 820;
  const H = 460;
  const m = { l: 60, r: 230, t: 40, b: 50 };
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const pad = (lo: number, hi: number): [number, number] => (hi - lo < 1e-9 ? [lo - 0.05, hi + 0.05] : [lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)]);
  const [x0, x1] = pad(Math.min(...pts.map((p) => p[0]), ...(o.band ?? [])), Math.max(...pts.map((p) => p[0]), ...(o.band ?? [])));
  const ys = [...pts.map((p) => p[1]), ...(o.hLine ? [o.hLine.y] : [])];
  const [y0, y1] = pad(Math.min(...ys), Math.max(...ys));
  const px = (x: number): number => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number): number => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${(W - m.r) / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`);
  if (o.band) out.push(`<rect x="${px(o.band[0]).toFixed(1)}" y="${m.t}" width="${(px(o.band[1]) - px(o.band[0])).toFixed(1)}" height="${H - m.t - m.b}" fill="#e6f4e6"/>`);
  out.push(`<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="black"/>`);
  out.push(`<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="black"/>`);
  for (let k = 0; k <= 4; k++) {
    const y = y0 + ((y1 - y0) * k) / 4;
    const x = x0 + ((x1 - x0) * k) / 4;
    out.push(`<line x1="${m.l}" y1="${py(y)}" x2="${W - m.r}" y2="${py(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 6}" y="${py(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
    out.push(`<text x="${px(x)}" y="${H - m.b + 16}" text-anchor="middle">${fmt(x)}</text>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text x="16" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(m.t + H - m.b) / 2})">${esc(yLabel)}</text>`);
  if (o.hLine) {
    out.push(`<line x1="${m.l}" y1="${py(o.hLine.y).toFixed(1)}" x2="${W - m.r}" y2="${py(o.hLine.y).toFixed(1)}" stroke="#888" stroke-dasharray="5,4"/>`);
    out.push(`<text x="${W - m.r - 4}" y="${(py(o.hLine.y) - 4).toFixed(1)}" text-anchor="end" font-size="10" fill="#555">${esc(o.hLine.label)}</text>`);
  }
  const shown = series.flatMap((s, k) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y, label]) => ({ k, name: s.name, x, y, label })));
  const spots = placeLabels(shown.map((p) => ({ x: px(p.x), y: py(p.y), text: p.label })), { l: m.l, t: m.t, r: W - m.r + 6, b: H - m.b });
  shown.forEach((p, i) => {
    const color = PALETTE[p.k % PALETTE.length]!;
    out.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="${color}"><title>${esc(`${p.name}, ${p.label}: ${fmt(p.x)}, ${fmt(p.y)}`)}</title></circle>`);
    const at = spots[i];
    if (!at) return;
    if (at.leader) out.push(`<line x1="${px(p.x).toFixed(1)}" y1="${py(p.y).toFixed(1)}" x2="${at.leader.x.toFixed(1)}" y2="${at.leader.y.toFixed(1)}" stroke="${color}" stroke-width="0.5"/>`);
    out.push(`<text x="${at.x.toFixed(1)}" y="${at.y.toFixed(1)}"${at.anchor === 'end' ? ' text-anchor="end"' : ''} font-size="9" fill="${color}">${esc(p.label)}</text>`);
  });
  series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length]!;
    const ly = m.t + 16 * k;
    out.push(`<circle cx="${W - m.r + 18}" cy="${ly - 3}" r="5" fill="${color}"/>`);
    out.push(`<text x="${W - m.r + 30}" y="${ly + 1}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
