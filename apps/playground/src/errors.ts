/**
 * Every error leaves the server as JSON `{code, message, field?}` with a 4xx status, or a 500 that says no
 * more than "internal error" (the stack goes to the server's log, never to the client).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { isXrecError } from '@xrec/core';
import type { ApiError } from './schemas.js';

/** An error a route throws on purpose: its status, code and (optionally) the request field at fault. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) {
    super(message);
    this.name = 'HttpError';
  }
}

const XREC_STATUS: Readonly<Record<string, [number, string]>> = {
  XREC_NOT_FOUND: [404, 'not_found'],
  XREC_CONFIG: [400, 'bad_request'],
  XREC_DATA: [400, 'bad_request'],
  XREC_VOCAB: [400, 'bad_request'],
  XREC_SHAPE: [400, 'bad_request'],
};

/** The request field an ajv validation error points at, e.g. `body.profile.age`. */
function fieldOf(e: FastifyError): string | undefined {
  const v = e.validation?.[0];
  if (!v) return undefined;
  const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const missing = (v.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ?? (v.params as { additionalProperty?: string }).additionalProperty;
  const parts = [e.validationContext ?? 'body', path, missing].filter((p) => p !== undefined && p !== '');
  return parts.join('.');
}

export function toApiError(e: unknown): { status: number; body: ApiError } {
  if (e instanceof HttpError) return { status: e.status, body: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) } };
  if (isXrecError(e)) {
    const [status, code] = XREC_STATUS[e.code] ?? [500, 'internal_error'];
    return status === 500 ? { status, body: { code, message: 'internal error' } } : { status, body: { code, message: e.message } };
  }
  const fe = e as FastifyError;
  if (fe.validation) {
    const field = fieldOf(fe);
    return { status: 400, body: { code: 'bad_request', message: `${field ?? 'request'}: ${fe.validation[0]?.message ?? 'invalid'}`, ...(field ? { field } : {}) } };
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, body: { code: 'payload_too_large', message: fe.message } };
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, body: { code: 'unsupported_media_type', message: fe.message } };
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return { status: fe.statusCode, body: { code: 'bad_request', message: fe.message } };
  return { status: 500, body: { code: 'internal_error', message: 'internal error' } };
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((e, req, reply) => {
    const { status, body } = toApiError(e);
    if (status >= 500) req.log.error({ err: e }, 'request failed');
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } satisfies ApiError);
  });
}
