/**
 * `xrec serve`: the playground web app and JSON API on 127.0.0.1 — explanations, cold start, fairness and the
 * benchmark reports. Models come from the bench outputs in --models (trained there on first start when
 * missing); Ctrl-C stops it.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { ConfigError, resolveDataDir } from '@xrec/core';
import { startServer } from '@xrec/playground';
import { cliInt } from '../args.js';
import { terminalProgress } from '../progress.js';

interface ServeFlags {
  port: number;
  host: string;
  models: string;
  profile: string;
  train: boolean;
  tuneEpochs: number;
  views?: string;
}

const VIEWS = ['explain', 'coldstart', 'fairness'] as const;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the playground: a web page and JSON API over explanations, cold start, fairness and the bench reports')
    .option('--port <n>', 'port (0 picks a free one)', cliInt('--port', 0, 65535), 8080)
    .option('--host <addr>', 'interface to listen on (loopback by default; use 0.0.0.0 deliberately)', '127.0.0.1')
    .option('--models <dir>', 'folder of bench outputs: <dir>/quick (bench explain), <dir>/fairness (bench fairness)', 'results')
    .option('--profile <name>', 'smoke | quick: which bench outputs to load, and the profile of first-start training', 'quick')
    .option('--no-train', 'do not train missing models on first start (their views report why they are off)')
    .option('--tune-epochs <n>', 'epochs of the cold-start soft prompt tuned at start-up (0: zero-shot only)', cliInt('--tune-epochs', 0, 50), 4)
    .option('--views <list>', 'comma-separated views to load: explain, coldstart, fairness (default all)')
    .addHelpText(
      'after',
      `
Examples:
  npm run main && pnpm xrec serve                  # the main job's models in results/quick, then open http://127.0.0.1:8080
  pnpm xrec serve --port 3000 --models results     # another port
  pnpm xrec serve --profile smoke --models /tmp/pg # tiny models trained in seconds (for trying it out)
  curl -s localhost:8080/api/openapi.json          # the API's OpenAPI document

Data: cold start needs MovieLens-100K and a fairness model trained from Insurance in the data directory
($XREC_DATA_DIR or --data-dir); views whose data or models are missing show why instead of failing.`,
    )
    .action(async (o: ServeFlags, cmd: Command) => {
      if (o.profile !== 'smoke' && o.profile !== 'quick') throw new ConfigError(`--profile: expected smoke or quick, got '${o.profile}'`);
      const views = o.views?.split(',').map((v) => v.trim()).filter(Boolean);
      const bad = views?.filter((v) => !(VIEWS as readonly string[]).includes(v)) ?? [];
      if (bad.length) throw new ConfigError(`--views: unknown view ${bad.map((v) => `'${v}'`).join(', ')} (known: ${VIEWS.join(', ')})`);
      const dataDir = resolveDataDir(cmd.optsWithGlobals<{ dataDir?: string }>().dataDir).path;
      const progress = terminalProgress();
      const server = await startServer({
        port: o.port,
        host: o.host,
        modelsDir: resolve(o.models),
        dataDir,
        profile: o.profile,
        train: o.train,
        tuneEpochs: o.tuneEpochs,
        ...(views ? { views: views as (typeof VIEWS)[number][] } : {}),
        progress,
        logger: { level: 'warn' },
      });
      const off = Object.entries(server.models.unavailable);
      progress.log(`xrec playground: ${server.url}  (API: ${server.url}/api/openapi.json)${off.length ? `\n  views off: ${off.map(([v, why]) => `${v} (${why})`).join('; ')}` : ''}`);
      await new Promise<void>((done) => {
        const stop = () => {
          progress.log('xrec playground: stopping');
          void server.close().then(done, done);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
