/**
 * The playground's API contract: one TypeBox schema per request and response. Fastify validates requests and
 * serialises responses with them, @fastify/swagger turns them into the OpenAPI document (`GET /api/openapi.json`),
 * and `Static<...>` gives the TypeScript types the server and the web page share (web/src/api.ts imports them).
 */
import { Type, type Static } from '@sinclair/typebox';

const Str = (o: { maxLength?: number; minLength?: number; description?: string } = {}) => Type.String({ maxLength: 200, ...o });

/** Every error the API returns (4xx and 5xx): a stable code, a sentence, and the request field at fault. */
export const ApiError = Type.Object({
  code: Type.String({ description: 'machine-readable: bad_request, not_found, payload_too_large, internal_error, …' }),
  message: Type.String(),
  field: Type.Optional(Type.String({ description: 'the request field at fault, e.g. body.user' })),
});
export type ApiError = Static<typeof ApiError>;

export const View = Type.Union([Type.Literal('explain'), Type.Literal('coldstart'), Type.Literal('fairness')]);
export type View = Static<typeof View>;

export const Variant = Type.Object({ id: Type.String(), label: Type.String(), rating: Type.Boolean({ description: 'predicts ratings too (PEPLER-MF/MLP)' }) });
export type Variant = Static<typeof Variant>;

export const Attribute = Type.Object({ name: Type.String(), classes: Type.Integer() });

export const DatasetInfo = Type.Object({
  id: Type.String({ description: 'pass as `dataset` to the other endpoints' }),
  view: View,
  name: Type.String(),
  users: Type.Integer(),
  items: Type.Integer(),
  records: Type.Integer(),
  /** explain: the PEPLER variants loaded (plus the retrieval baseline, always answered). */
  variants: Type.Optional(Type.Array(Variant)),
  /** fairness: the attributes with a trained prompt. */
  attributes: Type.Optional(Type.Array(Attribute)),
  /** coldstart: the scoring methods and the accepted occupations. */
  methods: Type.Optional(Type.Array(Type.String())),
  occupations: Type.Optional(Type.Array(Type.String())),
});
export type DatasetInfo = Static<typeof DatasetInfo>;

export const DatasetsResponse = Type.Object({ datasets: Type.Array(DatasetInfo) });
export type DatasetsResponse = Static<typeof DatasetsResponse>;

export const SearchQuery = Type.Object({
  dataset: Type.Optional(Str({ description: 'a dataset id from /api/datasets (default: the explanation dataset)' })),
  query: Type.Optional(Str({ maxLength: 100, description: 'case-insensitive substring of the id (or title)' })),
  user: Type.Optional(Str({ description: "items: this user's items first (explain and fairness datasets)" })),
  // query strings are strings: the body schemas are strict (no coercion), so the limit is a digit pattern, checked 1–100 by the route
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'at most this many (1–100, default 20)' })),
});
export type SearchQuery = Static<typeof SearchQuery>;

export const UserSummary = Type.Object({
  id: Type.String(),
  /** Interactions in the data (explain: training reviews; fairness: purchases). */
  interactions: Type.Integer(),
  /** fairness: the user's known attribute classes. */
  attributes: Type.Optional(Type.Record(Type.String(), Type.Integer())),
});
export const UsersResponse = Type.Object({ dataset: Type.String(), total: Type.Integer({ description: 'matches before the limit' }), users: Type.Array(UserSummary) });
export type UsersResponse = Static<typeof UsersResponse>;

export const ItemSummary = Type.Object({ id: Type.String(), title: Type.Optional(Type.String()), interactions: Type.Integer() });
export const ItemsResponse = Type.Object({ dataset: Type.String(), total: Type.Integer(), items: Type.Array(ItemSummary) });
export type ItemsResponse = Static<typeof ItemsResponse>;

export const ExplainRequest = Type.Object(
  {
    dataset: Type.Optional(Str()),
    user: Str({ minLength: 1 }),
    item: Str({ minLength: 1 }),
    variants: Type.Optional(Type.Array(Str(), { maxItems: 16, description: 'variant ids (default: every loaded variant)' })),
  },
  { additionalProperties: false },
);
export type ExplainRequest = Static<typeof ExplainRequest>;

export const Explanation = Type.Object({
  variant: Type.String(),
  label: Type.String(),
  text: Type.String(),
  /** Dataset features that occur in the text (what the page highlights). */
  features: Type.Array(Type.String()),
  rating: Type.Optional(Type.Number({ description: 'predicted rating (PEPLER-MF/MLP)' })),
});
export const ExplainResponse = Type.Object({
  dataset: Type.String(),
  user: Type.String(),
  item: Type.String(),
  explanations: Type.Array(Explanation),
  /** The pair's own review sentence, when the pair is in the data. */
  reference: Type.Optional(Type.Object({ text: Type.String(), rating: Type.Number(), feature: Type.String(), features: Type.Array(Type.String()) })),
  retrieval: Type.Object({ text: Type.String(), features: Type.Array(Type.String()) }),
  /** The mean of the rating-predicting variants' ratings, when any was asked for. */
  rating: Type.Optional(Type.Number()),
  /** Features the user mentions most in training (PEPLER-D's prompt draws on these). */
  userFeatures: Type.Array(Type.String()),
});
export type ExplainResponse = Static<typeof ExplainResponse>;

export const ColdStartProfile = Type.Object(
  {
    age: Type.Integer({ minimum: 1, maximum: 120 }),
    gender: Type.Union([Type.Literal('M'), Type.Literal('F')]),
    occupation: Str({ minLength: 1, maxLength: 40 }),
    zip: Type.Optional(Type.String({ maxLength: 10, pattern: '^[0-9A-Za-z-]*$' })),
  },
  { additionalProperties: false },
);
export const ColdStartRequest = Type.Object(
  {
    dataset: Type.Optional(Str()),
    profile: ColdStartProfile,
    candidates: Type.Optional(Type.Array(Str({ maxLength: 20 }), { minItems: 1, maxItems: 2000, description: 'item ids to rank (default: every item)' })),
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
    methods: Type.Optional(Type.Array(Str(), { minItems: 1, maxItems: 8, description: 'scoring methods (default: all)' })),
  },
  { additionalProperties: false },
);
export type ColdStartRequest = Static<typeof ColdStartRequest>;

export const ScoredItem = Type.Object({ item: Type.String(), title: Type.String(), p: Type.Number({ description: 'p(like)' }) });
export const ColdStartResponse = Type.Object({
  dataset: Type.String(),
  prompt: Type.String({ description: "the first candidate's verbalized prompt, as the model reads it" }),
  results: Type.Array(Type.Object({ method: Type.String(), ranked: Type.Array(ScoredItem), milliseconds: Type.Number() })),
});
export type ColdStartResponse = Static<typeof ColdStartResponse>;

export const FairRequest = Type.Object(
  {
    dataset: Type.Optional(Str()),
    user: Str({ minLength: 1 }),
    hide: Type.Array(Str({ maxLength: 40 }), { maxItems: 8 }),
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 5 })),
    history: Type.Optional(Type.Array(Str({ maxLength: 40 }), { minItems: 1, maxItems: 50, description: "purchases (default: the user's own)" })),
  },
  { additionalProperties: false },
);
export type FairRequest = Static<typeof FairRequest>;

const Ranked = Type.Array(Type.Object({ item: Type.String(), score: Type.Number({ description: 'log-likelihood' }) }));
export const FairResponse = Type.Object({
  dataset: Type.String(),
  user: Type.String(),
  history: Type.Array(Type.String()),
  hidden: Type.Array(Type.String()),
  /** Top-k of the P5 alone, and with the prompts of `hidden`. */
  plain: Ranked,
  fair: Ranked,
  /** The user's known attribute classes. */
  attributes: Type.Record(Type.String(), Type.Integer()),
  /** Per attribute: the attacker's class probabilities without and with the prompts. */
  attacker: Type.Record(Type.String(), Type.Object({ classes: Type.Integer(), without: Type.Array(Type.Number()), with: Type.Array(Type.Number()) })),
});
export type FairResponse = Static<typeof FairResponse>;

export const Cell = Type.Union([Type.String(), Type.Number(), Type.Null()]);
export const BenchReport = Type.Object({
  id: Type.String(),
  task: Type.Union([Type.Literal('explain'), Type.Literal('coldstart'), Type.Literal('fairness'), Type.Literal('rec')]),
  title: Type.String(),
  source: Type.String({ description: 'the report.json it was read from, relative to the repository or the models folder' }),
  columns: Type.Array(Type.String()),
  rows: Type.Array(Type.Array(Cell)),
  /** Which columns are better when lower (e.g. RMSE, DIV, log-loss). */
  lowerIsBetter: Type.Array(Type.String()),
  /** PASS/FAIL lines of the report's goals. */
  goals: Type.Array(Type.Object({ name: Type.String(), pass: Type.Boolean() })),
});
export type BenchReport = Static<typeof BenchReport>;
export type CellValue = Static<typeof Cell>;
export const ReportsResponse = Type.Object({ reports: Type.Array(BenchReport) });
export type ReportsResponse = Static<typeof ReportsResponse>;

export const HealthResponse = Type.Object({ status: Type.Literal('ok'), views: Type.Record(Type.String(), Type.Boolean()), uptimeSeconds: Type.Number() });
export type HealthResponse = Static<typeof HealthResponse>;
