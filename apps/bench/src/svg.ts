/**
 * Minimal SVG charts written by hand (no dependencies): a line chart (validation loss per epoch per method)
 * and a grouped bar chart (main metrics per method).
 */

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
