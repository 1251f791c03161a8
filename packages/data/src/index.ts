/**
 * @xrec/data — dataset loaders to Arrow tables (core schemas) and the PETER-style explanation-dataset
 * builder. The only public entry of the package.
 */
export { tableFromColumns, rowsOf, type Columns } from './arrow-table.js';
export { readLines, isGzipFile, type NumberedLine } from './text-lines.js';
export { parsePythonLiteral } from './python-literal.js';
export { loadAmazonReviews, type AmazonLoadOptions, type AmazonLoadStats, type AmazonReviews } from './amazon.js';
export { loadPeterDataset, peterRecordsFromPickle, unpickle, explanationTable, type PeterDataset } from './peter.js';
export { parseIndexFile, readSplitFolders, countSplitFolders, formatIndexFile, SPLIT_PARTS, type Split, type SplitPart } from './split-index.js';
export { COUPON_USER_FIELDS, COUPONS_FILE, COUPONS_SHA256, loadCoupons, verifyCoupons, type CouponItem, type CouponRow, type CouponUser } from './coupons.js';
export { loadMovieLens100K, loadMovieLens1M, type MovieLens100K, type MovieLens1M, type MovieLensItem, type MovieLensUser, type MovieLensFold } from './movielens.js';
export {
  importMovieLens100K,
  downloadMovieLens100K,
  extractMovieLens100KZip,
  sha256Hex,
  verifyMovieLens100K,
  MOVIELENS_100K_URL,
  MOVIELENS_100K_ZIP_MD5,
  MOVIELENS_100K_SHA256,
  MOVIELENS_100K_NAME,
  type ImportResult,
  type DownloadOptions,
  type FetchLike,
} from './movielens-fetch.js';
export { loadXrecExplanations, XREC_IMPLICIT_RATING, type XrecRow, type XrecExplanations } from './xrec.js';
export { loadInsuranceAttackerSplit, loadInsuranceTsv, type InsuranceData } from './insurance.js';
export { tagText, createTagger, type Tagger, type TaggedSentence, type TaggedToken } from './nlp.js';
export { DEFAULT_BUILDER_CONFIG, resolveBuilderConfig, type BuilderConfig } from './builder-config.js';
export { buildFeatureLexicon, buildOpinionLexicon, findMentions, GENERIC_NOUNS, NON_OPINION_ADJECTIVES, type FeatureEntry, type FeatureLexicon, type OpinionEntry, type Mention } from './lexicon.js';
export { buildExplanationDataset, type BuiltExplanationDataset, type BuildCounts } from './builder.js';
export { coverageSplit, makeSplits, coverageViolations } from './splits.js';
export { computeStats, formatStatsTable, wordCount, type DatasetStats } from './stats.js';
export {
  writeExplanationDataset,
  writeExplanationFiles,
  readBuiltDataset,
  readExplanationMeta,
  readExplanationArrow,
  isBuiltDatasetDir,
  peterJsonLine,
  EXPLANATION_DATASET_FORMAT,
  EXPLANATION_DATASET_VERSION,
  type ExplanationDatasetMeta,
} from './explanation-io.js';
export { checkDatasetOut } from './out-dir.js';
export { buildDatasetFromFile, type BuildFromFileOptions, type BuildFromFileResult } from './build-file.js';
export { loadExplanationDataset, bundledDatasetDir, BUNDLED_EXPLANATION_DATASETS, DEFAULT_SPLIT_SEED, type ExplanationDataset } from './explanation-dataset.js';
export {
  listCorpusSources,
  verifyCorpus,
  fileSha256,
  readCorpusDocuments,
  mixCorpus,
  DEFAULT_VAL_EVERY,
  type CorpusSource,
  type CorpusDocument,
  type CorpusReadOptions,
} from './corpus.js';
export * from './protocol-splits.js';
