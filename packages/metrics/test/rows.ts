/** Test row builders shared by the oracle test and the benchmark: seeded random rows and real-text rows. */
import { readFileSync } from 'node:fs';
import { Rng } from '@xrec/core';
import type { ExplanationRow } from '../src/index.js';
import { wordTokens } from '../src/index.js';

/** Words that exercise every postprocessing rule: clitics, brackets, runs of punctuation, odd whitespace. */
const WORDS = [
  'the', 'room', 'staff', 'location', 'breakfast', 'pool', 'price', 'bed', 'view', 'food', 'service', 'great',
  'clean', 'small', 'nice', "don't", "it's", "we've", "they're", "I'm", "you'd", "we'll", "isn't", 'wow!!!',
  'really?', '(very', 'good)', 'a,b', 'c:d', 'e;f', 'end...', 'x..y', ',,', '::', ';;', '!?', "'s", "n't",
  'rooms', 'Room', 'STAFF', 'café', 'naïve', '\u00a0nbsp', 'tab\there', 'ünïcödé', '"quoted"', '-', '--',
];
export const RANDOM_FEATURES = ['room', 'staff', 'location', 'breakfast', 'pool', 'price', 'bed', 'view', 'food', 'service', 'wifi', 'two words'];

function randomText(rng: Rng, maxWords: number): string {
  const n = rng.int(0, maxWords);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(rng.choice(WORDS));
  const sep = rng.float() < 0.1 ? '  ' : ' ';
  return parts.join(sep);
}

/** `n` seeded random rows: short texts, some empty, some repeated outputs, features, ratings. */
export function randomRows(n: number, seed: number, withRatings = true): ExplanationRow[] {
  const rng = new Rng(seed);
  const templates = Array.from({ length: 5 }, () => randomText(rng, 8));
  const rows: ExplanationRow[] = [];
  for (let i = 0; i < n; i++) {
    const reference = randomText(rng, 14);
    const u = rng.float();
    const generated = u < 0.2 ? rng.choice(templates) : u < 0.25 ? '' : u < 0.6 ? reference.split(' ').slice(0, rng.int(1, 10)).join(' ') + ' ' + randomText(rng, 4) : randomText(rng, 14);
    const feature = rng.choice(RANDOM_FEATURES);
    const row: ExplanationRow = withRatings
      ? { reference, generated, feature, rating: rng.int(1, 5), predicted: rng.int(1, 5) + rng.normal(0, 1.5) }
      : { reference, generated, feature };
    rows.push(row);
  }
  return rows;
}

const STOP = new Set(['the', 'and', 'that', 'with', 'this', 'they', 'their', 'would', 'user', 'from', 'have', 'enjoy', 'which', 'their', 'were', 'also', 'because', 'for', 'are', 'its', 'who', 'business']);

/** Real-text rows: reference = explanation, generated = item profile (plus repeated outputs for USR). */
export function realTextRows(jsonl: string, seed: number, opts: { generatedField?: string; referenceField?: string } = {}): { rows: ExplanationRow[]; features: string[] } {
  const gf = opts.generatedField ?? 'generated';
  const rf = opts.referenceField ?? 'reference';
  const raw = jsonl.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, string>);
  const freq = new Map<string, number>();
  for (const r of raw) for (const t of wordTokens(r[rf]!)) if (/^[a-z]{4,}$/.test(t) && !STOP.has(t)) freq.set(t, (freq.get(t) ?? 0) + 1);
  const features = [...freq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 150).map(([w]) => w);
  const fset = new Set(features);
  const rng = new Rng(seed);
  const rows = raw.map((r, i) => {
    const reference = r[rf]!;
    const generated = i % 17 === 3 ? raw[0]![gf]! : r[gf]!;
    const feature = wordTokens(reference).find((t) => fset.has(t)) ?? features[0]!;
    const rating = rng.int(1, 5);
    return { reference, generated, feature, rating, predicted: rating + rng.normal(0, 1.2) };
  });
  return { rows, features };
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
