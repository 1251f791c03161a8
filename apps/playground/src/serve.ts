/** Start the playground: load (or first train) the models, build the app, listen on 127.0.0.1 by default. */
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { loadPlaygroundModels, type PlaygroundModels, type PlaygroundModelsOptions } from './services/index.js';

export interface ServeOptions extends PlaygroundModelsOptions {
  /** Port (default 8080; 0 picks a free one). */
  readonly port?: number;
  /** Interface (default 127.0.0.1: loopback only). */
  readonly host?: string;
  readonly webDir?: string;
  readonly logger?: boolean | { level: string };
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly models: PlaygroundModels;
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  close(): Promise<void>;
}

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const models = await loadPlaygroundModels(o);
  const app = await buildApp({ models, ...(o.webDir ? { webDir: o.webDir } : {}), ...(o.logger !== undefined ? { logger: o.logger } : {}) });
  try {
    await app.listen({ port: o.port ?? 8080, host: o.host ?? '127.0.0.1' });
  } catch (e) {
    models.dispose();
    throw e;
  }
  const addr = app.server.address();
  const url = typeof addr === 'object' && addr ? `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}` : String(addr);
  return {
    app,
    models,
    url,
    async close() {
      await app.close();
      models.dispose();
    },
  };
}
