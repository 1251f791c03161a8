/**
 * Dataset statistics as in the PETER/PEPLER papers' dataset table: users, items, records, features,
 * records per user / item, mean words per explanation, and sparsity = 1 − #distinct (user, item) pairs /
 * (#users · #items).
 */
import type { ExplanationRecord } from '@xrec/core';

export interface DatasetStats {
  readonly users: number;
  readonly items: number;
  readonly records: number;
  readonly features: number;
  readonly recordsPerUser: number;
  readonly recordsPerItem: number;
  /** Mean number of whitespace-separated words per explanation sentence. */
  readonly meanWords: number;
  /** 1 − pairs / (users · items), in [0, 1]. */
  readonly sparsity: number;
}

/** Count words as whitespace-separated tokens. */
export function wordCount(s: string): number {
  const t = s.trim();
  return t === '' ? 0 : t.split(/\s+/).length;
}

/** Statistics of `records`; `featureCount` defaults to the distinct non-empty features in them. */
export function computeStats(records: readonly ExplanationRecord[], featureCount?: number): DatasetStats {
  const users = new Set<string>();
  const items = new Set<string>();
  const pairs = new Set<string>();
  const feats = new Set<string>();
  let words = 0;
  for (const r of records) {
    users.add(r.user);
    items.add(r.item);
    pairs.add(`${r.user}\u0000${r.item}`);
    if (r.feature !== '') feats.add(r.feature);
    words += wordCount(r.sentence);
  }
  const n = records.length;
  return {
    users: users.size,
    items: items.size,
    records: n,
    features: featureCount ?? feats.size,
    recordsPerUser: users.size ? n / users.size : 0,
    recordsPerItem: items.size ? n / items.size : 0,
    meanWords: n ? words / n : 0,
    sparsity: users.size && items.size ? 1 - pairs.size / (users.size * items.size) : 0,
  };
}

/** The statistics as a Markdown table row set (one header, one row). */
export function formatStatsTable(name: string, s: DatasetStats): string {
  const pct = (x: number): string => `${(100 * x).toFixed(3)}%`;
  return [
    '| dataset | users | items | records | features | records/user | records/item | words/explanation | sparsity |',
    '|---|---|---|---|---|---|---|---|---|',
    `| ${name} | ${s.users.toLocaleString('en-US')} | ${s.items.toLocaleString('en-US')} | ${s.records.toLocaleString('en-US')} | ${s.features.toLocaleString('en-US')} | ${s.recordsPerUser.toFixed(2)} | ${s.recordsPerItem.toFixed(2)} | ${s.meanWords.toFixed(2)} | ${pct(s.sparsity)} |`,
  ].join('\n');
}
