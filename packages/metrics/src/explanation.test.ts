import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isXrecError } from '@xrec/core';
import {
  EXPLANATION_METRIC_KEYS,
  bleuScore,
  explainFiles,
  explanationMetrics,
  formatExplanationMetrics,
  parseExplanationRows,
  parseFeatureList,
  rougeScore,
  wordTokens,
  type ExplanationRow,
} from './index.js';

const rows: ExplanationRow[] = [
  { reference: 'The room was clean, and the staff were friendly!', generated: 'the room was clean', feature: 'room', rating: 4, predicted: 4.6 },
  { reference: 'Great location near the station.', generated: 'the staff were friendly', feature: 'location', rating: 2, predicted: 0.5 },
  { reference: "Breakfast wasn't great.", generated: 'the room was clean', feature: 'breakfast', rating: 5, predicted: 5.2 },
];
const features = ['room', 'staff', 'location', 'breakfast', 'pool'];

describe('explanationMetrics', () => {
  it('equals the individual metrics on the same word tokens (the PEPLER pipeline)', () => {
    const m = explanationMetrics(rows, { features, minRating: 1, maxRating: 5 });
    const refs = rows.map((r) => wordTokens(r.reference));
    const gens = rows.map((r) => wordTokens(r.generated));
    expect(m.bleu1).toBeCloseTo(bleuScore(refs, gens, 1), 12);
    expect(m.bleu4).toBeCloseTo(bleuScore(refs, gens, 4), 12);
    const rouge = rougeScore(refs.map((t) => t.join(' ')), gens.map((t) => t.join(' ')));
    for (const [k, v] of Object.entries(rouge)) expect(m[k as keyof typeof rouge]).toBeCloseTo(v, 12);
  });

  it('known answers for USR, FMR, FCR, DIV, RMSE, MAE', () => {
    const m = explanationMetrics(rows, { features, minRating: 1, maxRating: 5 });
    expect(m.n).toBe(3);
    expect(m.usn).toBe(2); // outputs 1 and 3 are the same sentence
    expect(m.usr).toBe(2 / 3);
    expect(m.fmr).toBe(1 / 3); // only row 1 mentions its feature ('room')
    expect(m.fcr).toBe(2 / 5); // room, staff of 5 features
    expect(m.div).toBe(1 / 3); // pairs (0,2) share 'room'; (0,1), (1,2) share nothing
    // clipped predictions 4.6, 1, 5 → errors 0.6, -1, 0
    expect(m.mae).toBeCloseTo(1.6 / 3, 14);
    expect(m.rmse).toBeCloseTo(Math.sqrt((0.36 + 1) / 3), 14);
  });

  it('defaults: feature set = the rows\' features, rating range = min/max of the ratings', () => {
    const m = explanationMetrics(rows);
    expect(m.fcr).toBe(1 / 3); // {room, location, breakfast}: only room generated
    // range [2, 5]: predictions 4.6, 2, 5 → errors 0.6, 0, 0
    expect(m.mae).toBeCloseTo(0.6 / 3, 14);
  });

  it('rmse/mae only when every row has rating and predicted', () => {
    const m = explanationMetrics(rows.map(({ reference, generated, feature }) => ({ reference, generated, feature: feature! })), { features });
    expect(Object.keys(m)).toEqual([...EXPLANATION_METRIC_KEYS]);
    expect('rmse' in m).toBe(false);
  });

  it('errors name the row and the problem', () => {
    const expectData = (f: () => unknown, re: RegExp): void => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(isXrecError(e)).toBe(true);
        expect((e as Error).message).toMatch(re);
      }
    };
    expectData(() => explanationMetrics([]), /empty input/);
    expectData(() => explanationMetrics([rows[0]!]), /at least 2 rows/);
    expectData(() => explanationMetrics([rows[0]!, { reference: 'a', generated: 'b' }]), /row 1 has no 'feature'/);
    expectData(() => explanationMetrics([rows[0]!, { reference: 'a', generated: 'b', feature: 'x' }]), /row 1 lacks 'rating'\/'predicted'/);
    expectData(() => explanationMetrics([rows[0]!, { reference: 'a', generated: 'b', feature: 'x', rating: 3 }]), /only one of 'rating' and 'predicted'/);
    expectData(() => explanationMetrics([rows[0]!, { reference: 'a', generated: 7 as unknown as string, feature: 'x' }]), /'generated' must be a string/);
    expectData(() => explanationMetrics(rows, { features: [] }), /feature set is empty/);
    expectData(() => explanationMetrics([{ reference: 'a', generated: 'b' }, { reference: 'a', generated: 'b' }], { missingFeature: 'unmatched' }), /no feature set/);
    const half = explanationMetrics([rows[0]!, { reference: 'a', generated: 'room', rating: 3, predicted: 3 }], { features, missingFeature: 'unmatched' });
    expect(half.fmr).toBe(1 / 2); // row 0 matches 'room'; row 1 has no feature → not matched
    expectData(() => explanationMetrics(rows, { minRating: 1 }), /both minRating and maxRating/);
    expectData(() => explanationMetrics([rows[0]!, { reference: 'a', generated: 'b' }], { rowLabel: (i) => `x.jsonl line ${i + 3}` }), /x.jsonl line 4/);
  });

  it('an empty generated text is a documented value, not an error', () => {
    const m = explanationMetrics([
      { reference: 'the room', generated: '', feature: 'room' },
      { reference: 'the staff', generated: 'the staff', feature: 'staff' },
    ]);
    expect(m.usn).toBe(2);
    expect(m.rouge1_p).toBeCloseTo(50, 12); // pair 1: the word "" matches nothing; pair 2: P = 1
    expect(m.bleu1).toBeCloseTo(100 * Math.exp(1 - 4 / 2), 12); // p1 = 2/2, c = 2, r = 4
  });
});

describe('files: parseExplanationRows, parseFeatureList, explainFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xrec-metrics-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses JSONL, skipping blank lines and naming bad lines', () => {
    const f = parseExplanationRows('{"reference":"a","generated":"b","feature":"f","rating":3,"predicted":null}\n\n{"reference":"c","generated":"d"}\n', 'r.jsonl');
    expect(f.rows).toEqual([{ reference: 'a', generated: 'b', feature: 'f', rating: 3 }, { reference: 'c', generated: 'd' }]);
    expect(f.lines).toEqual([1, 3]);
    expect(() => parseExplanationRows('{"reference":"a","generated":"b"}\n{oops', 'r.jsonl')).toThrow(/r.jsonl line 2: not valid JSON/);
    expect(() => parseExplanationRows('[1]', 'r.jsonl')).toThrow(/line 1: expected a JSON object, got an array/);
    expect(() => parseExplanationRows('{"reference":"a","generated":"b","rating":"4"}', 'r.jsonl')).toThrow(/'rating' must be a finite number/);
    expect(parseFeatureList(' room \r\n\nstaff\nroom\n')).toEqual(['room', 'staff']);
    expect(parseExplanationRows('\ufeff{"reference":"a","generated":"b"}\r\n').rows).toEqual([{ reference: 'a', generated: 'b' }]);
  });

  it('explainFiles prints exactly the documented keys, in order, and names files in errors', () => {
    const input = join(dir, 'rows.jsonl');
    const feats = join(dir, 'features.txt');
    writeFileSync(input, rows.map((r) => JSON.stringify(r)).join('\n'));
    writeFileSync(feats, features.join('\n'));
    const { metrics, notes } = explainFiles({ input, features: feats, minRating: 1, maxRating: 5 });
    expect(notes).toEqual([]);
    const printed = JSON.parse(formatExplanationMetrics(metrics)) as Record<string, number>;
    expect(Object.keys(printed)).toEqual([...EXPLANATION_METRIC_KEYS, 'rmse', 'mae']);
    expect(printed).toEqual(explanationMetrics(rows, { features, minRating: 1, maxRating: 5 }));
    expect(explainFiles({ input }).notes[0]).toMatch(/no --features file/);
    expect(() => explainFiles({ input, features: join(dir, 'missing.txt') })).toThrow(/feature file .*missing.txt does not exist/);
    expect(() => explainFiles({ input: join(dir, 'none.jsonl') })).toThrow(/does not exist/);
    writeFileSync(join(dir, 'empty.jsonl'), '\n');
    expect(() => explainFiles({ input: join(dir, 'empty.jsonl') })).toThrow(/holds no rows/);
    writeFileSync(join(dir, 'nofeat.jsonl'), '{"reference":"a","generated":"b"}\n{"reference":"c","generated":"d"}\n');
    expect(() => explainFiles({ input: join(dir, 'nofeat.jsonl') })).toThrow(/no feature set/);
    // with a feature file, rows without 'feature' count as unmatched in FMR (Python: None in set is False)
    const nofeat = explainFiles({ input: join(dir, 'nofeat.jsonl'), features: feats });
    expect(nofeat.metrics.fmr).toBe(0);
    expect(nofeat.notes.join(' ')).toMatch(/2 of 2 rows have no 'feature'/);
    expect(() => explainFiles({ input, minRating: 5, maxRating: 1 })).toThrow(/above --max-rating/);
  });
});
