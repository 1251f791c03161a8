/** The JSON API: one route per endpoint, each with its request and response schemas (see schemas.ts). */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { HttpError } from './errors.js';
import {
  ApiError,
  ColdStartRequest,
  ColdStartResponse,
  DatasetsResponse,
  ExplainRequest,
  ExplainResponse,
  FairRequest,
  FairResponse,
  HealthResponse,
  ItemsResponse,
  ReportsResponse,
  SearchQuery,
  UsersResponse,
  type View,
} from './schemas.js';
import type { PlaygroundModels } from './services/index.js';
import { readReports } from './services/reports.js';

/** The fastify instance with the TypeBox type provider (request types come from the schemas). */
export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

const errors = { 400: ApiError, 404: ApiError, 413: ApiError, 500: ApiError, 503: ApiError };

function limitOf(v: string | undefined): number {
  const n = v === undefined ? 20 : Number(v);
  if (!(n >= 1 && n <= 100)) throw new HttpError(400, 'bad_request', `querystring.limit: must be between 1 and 100, got ${v}`, 'querystring.limit');
  return n;
}

export async function registerRoutes(app: App, m: PlaygroundModels): Promise<void> {
  const started = Date.now();
  const services = () => [m.explain, m.coldstart, m.fairness].filter((s) => s !== undefined);
  /** The service of a dataset id (default: the explanation dataset); 404 naming the known ids otherwise. */
  const service = (id: string | undefined, field: string) => {
    const all = services();
    const s = id === undefined ? (m.explain ?? all[0]) : all.find((x) => x.id === id);
    if (!s) throw new HttpError(404, 'not_found', id === undefined ? 'no dataset is loaded' : `unknown dataset '${id}' (loaded: ${all.map((x) => x.id).join(', ') || 'none'})`, field);
    return s;
  };
  /** A view's service, or 503 with the reason it did not load. */
  const need = <T>(view: View, s: T | undefined, dataset: string | undefined, id: string): T => {
    if (!s) throw new HttpError(503, 'view_unavailable', `the ${view} view has no model: ${m.unavailable[view] ?? 'not loaded'}`);
    if (dataset !== undefined && dataset !== id) throw new HttpError(404, 'not_found', `unknown ${view} dataset '${dataset}' (loaded: ${id})`, 'body.dataset');
    return s;
  };

  app.get('/api/health', { schema: { response: { 200: HealthResponse } } }, () => ({
    status: 'ok' as const,
    views: { explain: m.explain !== undefined, coldstart: m.coldstart !== undefined, fairness: m.fairness !== undefined },
    uptimeSeconds: (Date.now() - started) / 1000,
  }));

  app.get('/api/datasets', { schema: { response: { 200: DatasetsResponse } } }, () => ({ datasets: services().map((s) => s.info()) }));

  app.get('/api/users', { schema: { querystring: SearchQuery, response: { 200: UsersResponse, ...errors } } }, (req) =>
    service(req.query.dataset, 'query.dataset').searchUsers(req.query.query ?? '', limitOf(req.query.limit)),
  );

  app.get('/api/items', { schema: { querystring: SearchQuery, response: { 200: ItemsResponse, ...errors } } }, (req) =>
    service(req.query.dataset, 'query.dataset').searchItems(req.query.query ?? '', limitOf(req.query.limit), req.query.user),
  );

  app.post('/api/explain', { schema: { body: ExplainRequest, response: { 200: ExplainResponse, ...errors } } }, async (req) =>
    need('explain', m.explain, req.body.dataset, m.explain?.id ?? 'explain').explain(req.body),
  );

  app.post('/api/coldstart', { schema: { body: ColdStartRequest, response: { 200: ColdStartResponse, ...errors } } }, (req) =>
    need('coldstart', m.coldstart, req.body.dataset, m.coldstart?.id ?? 'ml-100k').recommend(req.body),
  );

  app.post('/api/fair-recommend', { schema: { body: FairRequest, response: { 200: FairResponse, ...errors } } }, (req) =>
    need('fairness', m.fairness, req.body.dataset, m.fairness?.id ?? 'insurance').recommend(req.body),
  );

  app.get('/api/bench/reports', { schema: { response: { 200: ReportsResponse } } }, () => ({ reports: readReports(m.reportRoots).reports }));
}
