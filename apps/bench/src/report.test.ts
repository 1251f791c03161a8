import { describe, expect, it } from 'vitest';
import { goalChecks } from './report.js';
import { meanStd, type MethodSummary } from './report-summary.js';
import { groupedBarChartSvg, lineChartSvg, scatterChartSvg } from './svg.js';

describe('report helpers', () => {
  it('meanStd uses the sample standard deviation', () => {
    const m = meanStd([1, 2, 3, 4]);
    expect(m.mean).toBe(2.5);
    expect(m.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(meanStd([7]).std).toBe(0);
    expect(meanStd([]).n).toBe(0);
  });

  it('goalChecks holds the variants to every goal, by their registry roles', () => {
    const s = (method: MethodSummary['method'], bleu4: number, rougeL_f: number, usr: number, repetition = 0): MethodSummary => ({
      method,
      label: method,
      baseModel: 'none',
      runs: 1,
      metrics: { bleu4: meanStd([bleu4]), rougeL_f: meanStd([rougeL_f]), usr: meanStd([usr]), fmr: meanStd([0.1]), fcr: meanStd([0]) },
      trainMinutes: meanStd([1]),
      cpuMinutes: meanStd([1]),
      tokensPerSecond: meanStd([1]),
      epochs: meanStd([1]),
      repetition: meanStd([repetition]),
      groups: {},
    });
    const lines = goalChecks([s('retrieval', 1, 10, 0.5), s('pepler', 2, 12, 0.1), s('pepler-mf', 0.5, 14, 0.01, 0.2), s('pepler-nopretrain', 1.5, 13, 0.05), s('pepler-stories', 9, 9, 0.9)]);
    expect(lines).toContain('- PASS: pepler BLEU-4 2.00 vs no pre-training 1.50');
    expect(lines).toContain('- FAIL: pepler RL-F 12.00 vs no pre-training 13.00');
    expect(lines).toContain('- PASS: pepler USR 0.1000 (goal ≥ 0.10)');
    expect(lines).toContain('- PASS: pepler FMR 0.1000 > 0');
    expect(lines).toContain('- FAIL: pepler FCR 0.0000 > 0');
    expect(lines).toContain('- FAIL: pepler-mf repeats a token 4+ times in a row in 20.00% of explanations (goal < 1%)');
    expect(lines.some((l) => l.includes('pepler-mf USR'))).toBe(false); // the USR goal is PEPLER's and PEPLER-D's
    expect(lines.some((l) => l.includes('pepler-stories'))).toBe(false); // a reference row is not checked
    expect(lines.filter((l) => l.includes('vs retrieval'))).toEqual([
      '- PASS: best variant by BLEU-4 (pepler) BLEU-4 2.00 vs retrieval 1.00',
      '- PASS: best variant by BLEU-4 (pepler) RL-F 12.00 vs retrieval 10.00',
    ]);
  });

  it('charts are well-formed SVG and escape labels', () => {
    const line = lineChartSvg('t', 'x', 'y', [{ name: 'a<b', points: [[1, 2], [2, 1]] }]);
    expect(line).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\n$/);
    expect(line).toContain('a&lt;b');
    expect(line).toContain('<polyline');
    const bars = groupedBarChartSvg('m', ['x', 'y'], [{ label: 'BLEU', values: [1, Number.NaN] }]);
    expect((bars.match(/<rect x=/g) ?? []).length).toBe(1 + 2); // one bar + two legend swatches
    const scatter = scatterChartSvg('trade-off', 'AUC', 'hit@5', [{ name: 'p<1', points: [[0.5, 0.9, 'a&b'], [0.7, Number.NaN, 'skipped']] }, { name: 'q', points: [[0.6, 0.95, 'c']] }], { band: [0.47, 0.53], hLine: { y: 0.85, label: 'floor' } });
    expect(scatter).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\n$/);
    expect((scatter.match(/<circle cx=/g) ?? []).length).toBe(2 + 2); // two finite points + two legend dots
    for (const t of ['p&lt;1', 'a&amp;b', 'floor', 'stroke-dasharray']) expect(scatter).toContain(t);
    expect(scatter).not.toContain('skipped');
  });
});
