// Typed fetch wrapper for the playground's JSON API; a non-2xx answer throws an ApiRequestError with the server's {code, message, field}.
import type {
  ApiError,
  ColdStartRequest,
  ColdStartResponse,
  DatasetInfo,
  DatasetsResponse,
  ExplainRequest,
  ExplainResponse,
  FairRequest,
  FairResponse,
  ItemsResponse,
  ReportsResponse,
  UsersResponse,
  View,
} from '../../src/schemas.js';

/** An error answer of the API (or a network failure, code `network_error`). */
export class ApiRequestError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  readonly status: number;
  constructor(status: number, body: ApiError) {
    super(body.message);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = body.code;
    this.field = body.field;
  }
}

const isApiError = (v: unknown): v is ApiError =>
  typeof v === 'object' && v !== null && typeof (v as ApiError).code === 'string' && typeof (v as ApiError).message === 'string';

/** True when `e` is the rejection of an aborted request (a newer request replaced it). */
export const isAbort = (e: unknown): boolean => e instanceof DOMException && e.name === 'AbortError';

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
  } catch (e) {
    if (isAbort(e)) throw e;
    throw new ApiRequestError(0, { code: 'network_error', message: `Could not reach the server (${e instanceof Error ? e.message : String(e)}).` });
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    throw new ApiRequestError(res.status, isApiError(data) ? data : { code: `http_${res.status}`, message: `The server answered ${res.status} ${res.statusText}.`.trim() });
  }
  if (data === undefined) throw new ApiRequestError(res.status, { code: 'bad_response', message: 'The server did not answer with JSON.' });
  return data as T;
}

function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

let datasetsPromise: Promise<DatasetsResponse> | undefined;
/** GET /api/datasets, fetched once per page load (a failure is retried on the next call). */
export function datasets(): Promise<DatasetsResponse> {
  datasetsPromise ??= request<DatasetsResponse>('GET', '/api/datasets').catch((e: unknown) => {
    datasetsPromise = undefined;
    throw e;
  });
  return datasetsPromise;
}

/** The dataset serving `view`, or undefined when the server has no model loaded for it. */
export async function datasetFor(view: View): Promise<DatasetInfo | undefined> {
  return (await datasets()).datasets.find((d) => d.view === view);
}

export interface Search {
  dataset: string;
  query: string;
  limit?: number;
  /** items: this user's items are listed first. */
  user?: string;
}
export const users = (s: Search, signal?: AbortSignal): Promise<UsersResponse> =>
  request('GET', withQuery('/api/users', { dataset: s.dataset, query: s.query, limit: s.limit }), undefined, signal);
export const items = (s: Search, signal?: AbortSignal): Promise<ItemsResponse> =>
  request('GET', withQuery('/api/items', { dataset: s.dataset, query: s.query, limit: s.limit, user: s.user }), undefined, signal);

export const explain = (body: ExplainRequest, signal?: AbortSignal): Promise<ExplainResponse> => request('POST', '/api/explain', body, signal);
export const coldStart = (body: ColdStartRequest, signal?: AbortSignal): Promise<ColdStartResponse> => request('POST', '/api/coldstart', body, signal);
export const fairRecommend = (body: FairRequest, signal?: AbortSignal): Promise<FairResponse> => request('POST', '/api/fair-recommend', body, signal);
export const reports = (signal?: AbortSignal): Promise<ReportsResponse> => request('GET', '/api/bench/reports', undefined, signal);
