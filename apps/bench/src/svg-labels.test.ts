import { describe, it, expect } from 'vitest';
import { placeLabels } from './svg-labels.js';
import { scatterChartSvg } from './svg.js';

const area = { l: 0, t: 0, r: 400, b: 300 };

function boxes(svg: string): { l: number; t: number; r: number; b: number }[] {
  // the point labels: font-size 9 text elements
  return [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)"( text-anchor="end")? font-size="9"[^>]*>([^<]*)<\/text>/g)].map((m) => {
    const x = Number(m[1]);
    const y = Number(m[2]);
    const w = 0.6 * 9 * m[4]!.length;
    return m[3] ? { l: x - w, t: y - 8, r: x, b: y + 2 } : { l: x, t: y - 8, r: x + w, b: y + 2 };
  });
}

describe('placeLabels', () => {
  it('keeps a lone label beside its point, right and above', () => {
    expect(placeLabels([{ x: 100, y: 100, text: 'gender' }], area)).toEqual([{ x: 106, y: 95, anchor: 'start' }]);
  });

  it('labels of coincident points never overlap; far ones get a leader line; none leaves the area', () => {
    const labels = Array.from({ length: 9 }, (_, i) => ({ x: 200, y: 150, text: `attribute ${i}` }));
    const placed = placeLabels(labels, area);
    expect(placed.every((p) => p !== undefined)).toBe(true);
    expect(placed.filter((p) => p!.leader).length).toBeGreaterThan(0);
    const b = placed.map((p, i) => {
      const w = 0.6 * 9 * labels[i]!.text.length;
      return p!.anchor === 'start' ? { l: p!.x, t: p!.y - 8, r: p!.x + w, b: p!.y + 2 } : { l: p!.x - w, t: p!.y - 8, r: p!.x, b: p!.y + 2 };
    });
    for (let i = 0; i < b.length; i++) {
      expect(b[i]!.l >= area.l && b[i]!.r <= area.r && b[i]!.t >= area.t && b[i]!.b <= area.b).toBe(true);
      for (let j = 0; j < i; j++) expect(b[i]!.l < b[j]!.r && b[j]!.l < b[i]!.r && b[i]!.t < b[j]!.b && b[j]!.t < b[i]!.b, `${i} vs ${j}`).toBe(false);
    }
  });

  it('leaves a label out when the area has no room for it', () => {
    const tiny = { l: 0, t: 0, r: 60, b: 30 };
    const placed = placeLabels([{ x: 10, y: 20, text: 'a' }, { x: 10, y: 20, text: 'a very long label indeed' }], tiny);
    expect(placed[0]).toBeDefined();
    expect(placed[1]).toBeUndefined();
  });

  it('a dense scatter chart has no overlapping point labels', () => {
    const points = Array.from({ length: 12 }, (_, i) => [0.5 + 0.001 * i, 0.88 + 0.0005 * (i % 3), `gender+marital_status ${i}`] as const);
    const svg = scatterChartSvg('t', 'x', 'y', [{ name: 's', points }], { band: [0.47, 0.53] });
    const b = boxes(svg);
    expect(b.length).toBeGreaterThan(6);
    for (let i = 0; i < b.length; i++) for (let j = 0; j < i; j++) expect(b[i]!.l < b[j]!.r && b[j]!.l < b[i]!.r && b[i]!.t < b[j]!.b && b[j]!.t < b[i]!.b).toBe(false);
  });
});
