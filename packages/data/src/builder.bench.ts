// Throughput of the slow steps (vitest bench; not part of `test`): reading reviews, tagging, building.
import { bench, describe } from 'vitest';
import { join } from 'node:path';
import { loadAmazonReviews } from './amazon.js';
import { buildExplanationDataset } from './builder.js';
import { createTagger } from './nlp.js';

const file = join(import.meta.dirname, '..', 'datasets', 'amazon-mi', 'reviews_Musical_Instruments_5.json.gz');
const { records } = await loadAmazonReviews(file, { limit: 1000 });

describe('explanation builder (1,000 Musical Instruments reviews)', () => {
  bench('loadAmazonReviews (gzip, first 1,000)', async () => {
    await loadAmazonReviews(file, { limit: 1000 });
  });
  bench('wink-nlp tagging', () => {
    const t = createTagger();
    for (const r of records) t.tag(r.text);
  });
  bench('buildExplanationDataset', () => {
    buildExplanationDataset(records, { minFeatureReviews: 5, minPhraseReviews: 3, minOpinionCount: 3 });
  });
});
