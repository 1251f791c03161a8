import { describe, it, expect } from 'vitest';
import { placeLabels } from './svg-labels.js';
import { scatterChartSvg } from './svg.js';

const area = { l: 0, t: 0, r: 400, b: 300 };

type Box = { l: number; t: number; r: number; b: number };

/** A 9-px label's box, estimated independently of placeLabels' own. */
function boxOf(x: number, y: number, end: boolean, text: string): Box {
  const w = 0.6 * 9 * text.length;
  return end ? { l: x - w, t: y - 8, r: x, b: y + 2 } : { l: x, t: y - 8, r: x + w, b: y + 2 };
}

/** The point labels of a chart: its font-size 9 text elements. */
function boxes(svg: string): Box[] {
  return [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)"( text-anchor="end")? font-size="9"[^>]*>([^<]*)<\/text>/g)].map((m) => boxOf(Number(m[1]), Number(m[2]), m[3] !== undefined, m[4]!));
}

function expectDisjoint(b: readonly Box[]): void {
  for (let i = 0; i < b.length; i++) for (let j = 0; j < i; j++) expect(b[i]!.l < b[j]!.r && b[j]!.l < b[i]!.r && b[i]!.t < b[j]!.b && b[j]!.t < b[i]!.b, `${i} vs ${j}`).toBe(false);
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
    const b = placed.map((p, i) => boxOf(p!.x, p!.y, p!.anchor === 'end', labels[i]!.text));
    for (const x of b) expect(x.l >= area.l && x.r <= area.r && x.t >= area.t && x.b <= area.b).toBe(true);
    expectDisjoint(b);
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
    expectDisjoint(b);
  });
});
