/**
 * Point labels that do not overlap: each label takes the first free spot among a few beside its point (right
 * above, right below, left above, left below), then spots further up or down on its right joined to the point
 * by a thin leader line; a label with no free spot inside the plot is left out (the point's tooltip still
 * names it). Boxes are estimated from the font size (0.6 em per character), which suffices for the short
 * labels of the bench charts.
 */

export interface LabelRequest {
  /** The point, in SVG pixels. */
  readonly x: number;
  readonly y: number;
  readonly text: string;
}

export interface PlacedLabel {
  /** Anchor of the text (`end` anchors at x on the label's right edge) and its baseline. */
  readonly x: number;
  readonly y: number;
  readonly anchor: 'start' | 'end';
  /** Set when the label sits away from its point: draw a line from the point to here. */
  readonly leader?: { readonly x: number; readonly y: number };
}

interface Box {
  readonly l: number;
  readonly t: number;
  readonly r: number;
  readonly b: number;
}

const overlaps = (a: Box, b: Box): boolean => a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b;

/** Place `labels` (in order: earlier ones get the better spots) inside `area`; `undefined` = left out. */
export function placeLabels(labels: readonly LabelRequest[], area: Box, fontSize = 9): (PlacedLabel | undefined)[] {
  const placed: Box[] = [];
  const h = fontSize + 1;
  return labels.map(({ x, y, text }) => {
    const w = 0.6 * fontSize * text.length;
    const near: PlacedLabel[] = [
      { x: x + 6, y: y - 5, anchor: 'start' },
      { x: x + 6, y: y + h + 2, anchor: 'start' },
      { x: x - 6, y: y - 5, anchor: 'end' },
      { x: x - 6, y: y + h + 2, anchor: 'end' },
    ];
    const far: PlacedLabel[] = [];
    for (let k = 1; k <= 12; k++) for (const dir of [-1, 1]) far.push({ x: x + 14, y: y - 5 + dir * k * h, anchor: 'start', leader: { x: x + 12, y: y - 5 + dir * k * h - h / 2 + 2 } });
    for (const c of [...near, ...far]) {
      const box: Box = c.anchor === 'start' ? { l: c.x, t: c.y - h + 2, r: c.x + w, b: c.y + 2 } : { l: c.x - w, t: c.y - h + 2, r: c.x, b: c.y + 2 };
      if (box.l < area.l || box.r > area.r || box.t < area.t || box.b > area.b) continue;
      if (placed.some((p) => overlaps(p, box))) continue;
      placed.push(box);
      return c;
    }
    return undefined;
  });
}
