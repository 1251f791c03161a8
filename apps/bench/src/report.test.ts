import { describe, expect, it } from 'vitest';
import { goalChecks, meanStd, type MethodSummary } from './report.js';
import { groupedBarChartSvg, lineChartSvg } from './svg.js';

describe('report helpers', () => {
  it('meanStd uses the sample standard deviation', () => {
    const m = meanStd([1, 2, 3, 4]);
    expect(m.mean).toBe(2.5);
    expect(m.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(meanStd([7]).std).toBe(0);
    expect(meanStd([]).n).toBe(0);
  });

  it('goalChecks compares variants with the ablation and the best with retrieval', () => {
    const s = (method: MethodSummary['method'], bleu4: number, rougeL_f: number, usr: number): MethodSummary => ({
      method,
      label: method,
      baseModel: 'none',
      runs: 1,
      metrics: { bleu4: meanStd([bleu4]), rougeL_f: meanStd([rougeL_f]), usr: meanStd([usr]) },
      trainMinutes: meanStd([1]),
      cpuMinutes: meanStd([1]),
      tokensPerSecond: meanStd([1]),
      epochs: meanStd([1]),
    });
    const lines = goalChecks([s('retrieval', 1, 10, 0.5), s('pepler', 2, 12, 0.1), s('pepler-nopretrain', 1.5, 13, 0.05)]);
    expect(lines).toContain('- PASS: pepler BLEU-4 2.00 vs no pre-training 1.50');
    expect(lines).toContain('- FAIL: pepler RL-F 12.00 vs no pre-training 13.00');
    expect(lines.filter((l) => l.includes('vs retrieval'))).toEqual([
      '- PASS: best variant by BLEU-4 (pepler) BLEU-4 2.00 vs retrieval 1.00',
      '- PASS: best variant by BLEU-4 (pepler) RL-F 12.00 vs retrieval 10.00',
      '- FAIL: best variant by BLEU-4 (pepler) USR 0.1000 vs retrieval 0.5000',
    ]);
  });

  it('charts are well-formed SVG and escape labels', () => {
    const line = lineChartSvg('t', 'x', 'y', [{ name: 'a<b', points: [[1, 2], [2, 1]] }]);
    expect(line).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\n$/);
    expect(line).toContain('a&lt;b');
    expect(line).toContain('<polyline');
    const bars = groupedBarChartSvg('m', ['x', 'y'], [{ label: 'BLEU', values: [1, Number.NaN] }]);
    expect((bars.match(/<rect x=/g) ?? []).length).toBe(1 + 2); // one bar + two legend swatches
  });
});
