/**
 * Apache Arrow schemas of the records xrec packages exchange. Data loaders produce tables with exactly
 * these schemas; method packages consume them. Field names follow the PETER/PEPLER data where one exists.
 */
import { Field, Float32, Int8, Int64, Schema, Utf8, Int32, Bool } from 'apache-arrow';

/** A user-item interaction: rating or implicit label, with an optional time. */
export const INTERACTION_SCHEMA = new Schema([
  new Field('user', new Utf8(), false),
  new Field('item', new Utf8(), false),
  new Field('rating', new Float32(), false),
  new Field('timestamp', new Int64(), true),
]);

/** A raw review (Amazon-style). */
export const REVIEW_SCHEMA = new Schema([
  new Field('user', new Utf8(), false),
  new Field('item', new Utf8(), false),
  new Field('rating', new Float32(), false),
  new Field('text', new Utf8(), false),
  new Field('summary', new Utf8(), true),
  new Field('timestamp', new Int64(), true),
  new Field('vote', new Int32(), true),
  new Field('verified', new Bool(), true),
  new Field('style', new Utf8(), true),
]);

/** A PETER-style explanation record: one (review, sentence) with its feature, opinion word and sentiment. */
export const EXPLANATION_SCHEMA = new Schema([
  new Field('user', new Utf8(), false),
  new Field('item', new Utf8(), false),
  new Field('rating', new Float32(), false),
  new Field('feature', new Utf8(), false),
  new Field('opinion', new Utf8(), false),
  new Field('sentence', new Utf8(), false),
  /** +1 positive, -1 negative, 0 neutral/unknown. */
  new Field('sentiment', new Int8(), false),
]);

/** A user with categorical attributes (fairness datasets, MovieLens users). */
export const USER_ATTRIBUTE_SCHEMA = new Schema([
  new Field('user', new Utf8(), false),
  new Field('attribute', new Utf8(), false),
  new Field('value', new Utf8(), false),
]);

/** Plain-record forms of the schemas, for APIs that take arrays of objects. */
export interface InteractionRecord {
  user: string;
  item: string;
  rating: number;
  timestamp?: bigint | null;
}

export interface ReviewRecord {
  user: string;
  item: string;
  rating: number;
  text: string;
  summary?: string | null;
  timestamp?: bigint | null;
  vote?: number | null;
  verified?: boolean | null;
  style?: string | null;
}

export interface ExplanationRecord {
  user: string;
  item: string;
  rating: number;
  feature: string;
  opinion: string;
  sentence: string;
  sentiment: number;
}
