// Speed of the whole explanation suite (tokenize + BLEU-1/4 + ROUGE-1/2/L + USR/USN + FMR/FCR/DIV +
// RMSE/MAE) on N = 1,000 / 10,000 / 100,000 pairs. A benchmark, not a test.
// Run:  cd packages/metrics && npx tsc -p tsconfig.build.json && node scripts/bench-explanation.mjs [N ...]
// Texts are drawn (seeded) from the vocabulary of the committed XRec sample, with PEPLER-like lengths:
// references 10-45 words, generated 8-25 words, 20% of outputs repeated from a few templates.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@xrec/core';
import { explanationMetrics, wordTokens } from '../dist/index.js';

const here = import.meta.dirname;
const sample = readFileSync(join(here, '..', 'test', 'fixtures', 'xrec-explanations-sample.jsonl'), 'utf8')
  .split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
const vocab = [...new Set(sample.flatMap((r) => wordTokens(r.reference)))];
const features = vocab.filter((w) => /^[a-z]{5,}$/.test(w)).slice(0, 300);

function text(rng, lo, hi) {
  const n = rng.int(lo, hi);
  const out = [];
  for (let i = 0; i < n; i++) out.push(rng.choice(vocab));
  return out.join(' ');
}

function rows(n, seed) {
  const rng = new Rng(seed);
  const templates = Array.from({ length: 20 }, () => text(rng, 8, 20));
  return Array.from({ length: n }, () => {
    const rating = rng.int(1, 5);
    return {
      reference: text(rng, 10, 45),
      generated: rng.float() < 0.2 ? rng.choice(templates) : text(rng, 8, 25),
      feature: rng.choice(features),
      rating,
      predicted: rating + rng.normal(0, 1),
    };
  });
}

const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
const ns = sizes.length ? sizes : [1000, 10000, 100000];
const results = [];
for (const n of ns) {
  const data = rows(n, 42);
  explanationMetrics(data.slice(0, Math.min(n, 2000)), { features }); // warm-up
  const times = [];
  for (let rep = 0; rep < (n >= 100000 ? 2 : 3); rep++) {
    const t0 = performance.now();
    explanationMetrics(data, { features, minRating: 1, maxRating: 5 });
    times.push((performance.now() - t0) / 1000);
  }
  const best = Math.min(...times);
  results.push({ n, seconds: best, pairsPerSecond: n / best });
}
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, seed 42, best of 2-3 runs`);
console.log('| pairs | seconds | pairs/s | s per 1k pairs |');
console.log('|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.n.toLocaleString('en-US')} | ${r.seconds.toFixed(3)} | ${Math.round(r.pairsPerSecond).toLocaleString('en-US')} | ${((r.seconds / r.n) * 1000).toFixed(4)} |`);
}
