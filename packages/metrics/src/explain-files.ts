/**
 * `xrec metrics explain` as a library call: read the rows (JSONL) and optional feature file, run
 * {@link explanationMetrics}, and order the keys for printing.
 */
import { ConfigError, DataError } from '@xrec/core';
import { EXPLANATION_METRIC_KEYS, explanationMetrics, type ExplanationMetrics } from './explanation.js';
import { readExplanationRows, readFeatureFile } from './io.js';

export interface ExplainFilesOptions {
  /** JSON Lines of `{reference, generated, feature?, rating?, predicted?}`. */
  readonly input: string;
  /** One feature per line: the dataset's feature set. Default: the distinct `feature` values of the rows. */
  readonly features?: string;
  readonly minRating?: number;
  readonly maxRating?: number;
}

export interface ExplainFilesResult {
  readonly metrics: ExplanationMetrics;
  /** Remarks for the user (printed on stderr by the CLI), e.g. where the feature set came from. */
  readonly notes: readonly string[];
}

/** Run the explanation suite on files; errors name the file and line. */
export function explainFiles(options: ExplainFilesOptions): ExplainFilesResult {
  const { minRating, maxRating } = options;
  if ((minRating === undefined) !== (maxRating === undefined)) {
    throw new ConfigError(`metrics explain: give both --min-rating and --max-rating or neither, got min=${minRating}, max=${maxRating}`);
  }
  for (const [name, v] of [['--min-rating', minRating], ['--max-rating', maxRating]] as const) {
    if (v !== undefined && !Number.isFinite(v)) throw new ConfigError(`metrics explain: ${name} must be a number, got ${v}`);
  }
  if (minRating !== undefined && maxRating !== undefined && minRating > maxRating) {
    throw new ConfigError(`metrics explain: --min-rating ${minRating} is above --max-rating ${maxRating}`);
  }
  const file = readExplanationRows(options.input);
  if (file.rows.length === 0) throw new DataError(`metrics explain: ${options.input} holds no rows (empty input)`);
  if (minRating !== undefined && maxRating !== undefined) {
    file.rows.forEach((r, i) => {
      if (r.rating !== undefined && (r.rating < minRating || r.rating > maxRating)) {
        throw new DataError(`metrics explain: ${file.source} line ${file.lines[i]}: rating ${r.rating} is outside [--min-rating ${minRating}, --max-rating ${maxRating}]`);
      }
    });
  }
  const features = options.features === undefined ? undefined : readFeatureFile(options.features);
  const notes: string[] = [];
  if (features === undefined) {
    notes.push(
      'no --features file: the feature set for FCR is the distinct row features (PEPLER uses every feature of the dataset; pass --features for comparable FCR)',
    );
  }
  const withoutFeature = file.rows.filter((r) => r.feature === undefined).length;
  if (withoutFeature > 0) {
    notes.push(`${withoutFeature} of ${file.rows.length} rows have no 'feature': they count as not matched in FMR (as the reference's \`None in fea_set\`)`);
  }
  const metrics = explanationMetrics(file.rows, {
    missingFeature: 'unmatched',
    ...(features ? { features } : {}),
    ...(minRating !== undefined && maxRating !== undefined ? { minRating, maxRating } : {}),
    rowLabel: (i) => `${file.source} line ${file.lines[i]}`,
  });
  if ((metrics.rmse !== undefined && !Number.isFinite(metrics.rmse)) || (metrics.mae !== undefined && !Number.isFinite(metrics.mae))) {
    throw new DataError(`metrics explain: ${file.source}: RMSE/MAE overflow (ratings as large as ${Math.max(...file.rows.map((r) => Math.abs(r.rating ?? 0)))}); pass --min-rating/--max-rating to check the range`);
  }
  return { metrics, notes };
}

/** The metrics as one JSON object with keys in the documented order (`rmse`, `mae` last when present). */
export function formatExplanationMetrics(m: ExplanationMetrics): string {
  const ordered: Record<string, number> = {};
  for (const k of EXPLANATION_METRIC_KEYS) ordered[k] = m[k];
  if (m.rmse !== undefined && m.mae !== undefined) {
    ordered.rmse = m.rmse;
    ordered.mae = m.mae;
  }
  return JSON.stringify(ordered);
}
