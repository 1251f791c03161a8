/**
 * The playground server: fastify with TypeBox schemas (validation, serialisation and the OpenAPI document
 * from one source), the JSON API under /api and the built web page at /. Fastify was chosen over hono for
 * its in-process `inject` (every endpoint is tested without a socket), schema-compiled validation and
 * serialisation, and maintained first-party plugins for static files and OpenAPI.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { installErrorHandlers } from './errors.js';
import { registerRoutes } from './routes.js';
import type { PlaygroundModels } from './services/index.js';
import { REPO_ROOT } from './services/index.js';

export interface AppOptions {
  readonly models: PlaygroundModels;
  /** The built web page (default apps/playground/dist/web); absent: the API only. */
  readonly webDir?: string;
  /** Largest accepted request body in bytes (default 16 KiB). */
  readonly bodyLimit?: number;
  /** Fastify's logger (default off; `xrec serve` turns it on at warn level). */
  readonly logger?: boolean | { level: string };
}

export const DEFAULT_WEB_DIR = join(REPO_ROOT, 'apps', 'playground', 'dist', 'web');

export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: o.logger ?? false,
    bodyLimit: o.bodyLimit ?? 16 * 1024,
    // strings are not coerced to numbers in bodies; query strings are (limit=5)
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandlers(app);
  await app.register(fastifySwagger, {
    openapi: { openapi: '3.0.3', info: { title: 'xrec playground API', version: '0.1.0', description: 'Explanations (PEPLER), cold start (PromptRec), fairness (UP5) and the benchmark reports.' } },
  });
  await registerRoutes(app, o.models);
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  const web = o.webDir ?? DEFAULT_WEB_DIR;
  if (existsSync(join(web, 'index.html'))) await app.register(fastifyStatic, { root: web, prefix: '/', index: 'index.html' });
  else app.get('/', () => ({ message: `the web page is not built (${web}); run pnpm --filter @xrec/playground build`, api: '/api/openapi.json' }));
  return app;
}
