// Builds the bundled default explanation dataset from the committed Amazon Musical Instruments 5-core
// reviews into datasets/amazon-mi/built (atomically). Run: pnpm --filter @xrec/data run build:default
// (compiles the package first; needs @xrec/core built: pnpm turbo run build --filter=@xrec/data...).
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { buildDatasetFromFile, formatStatsTable } from '../dist/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const input = join(root, 'datasets', 'amazon-mi', 'reviews_Musical_Instruments_5.json.gz');
const out = join(root, 'datasets', 'amazon-mi', 'built');
const progress = {
  start(label, total) {
    process.stderr.write(`${label} (${total ?? '?'})\n`);
    return { tick() {}, update() {}, finish() { process.stderr.write(`${label}: done\n`); } };
  },
  log(m) {
    process.stderr.write(`${m}\n`);
  },
};
const t0 = Date.now();
const { built } = await buildDatasetFromFile(input, out, { name: 'amazon-musical-instruments-5core', progress });
console.log(formatStatsTable('Amazon Musical Instruments (5-core)', built.stats));
console.log(JSON.stringify(built.counts));
console.log(`wrote ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
