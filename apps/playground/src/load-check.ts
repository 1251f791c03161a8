/**
 * The playground's load check: `/api/explain` on loopback at 8 and 32 concurrent connections with autocannon,
 * bounded in time (`--seconds`, default 20 per level) — requests/s, p50/p99 latency, errors and non-2xx
 * answers, and the server's resident memory sampled every second (flat = no leak). Starts its own server on
 * 127.0.0.1 with the models of `--models` (default `results`, profile quick), or targets `--url`.
 * Writes `<out>/load-check.json` and `.md` (default apps/playground/results).
 *
 *   node apps/playground/dist/load-check.js --models results --seconds 20
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { lineProgress, resolveDataDir, writeFileAtomic } from '@xrec/core';
import { startServer } from './serve.js';
import { REPO_ROOT } from './services/index.js';

interface Level {
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  /** Resident memory of the process (MiB) at the start and end of the level, and its largest sample. */
  readonly rssMiB: { readonly start: number; readonly end: number; readonly max: number };
  readonly batchMean: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { models: { type: 'string', default: 'results' }, profile: { type: 'string', default: 'quick' }, seconds: { type: 'string', default: '20' }, out: { type: 'string', default: join(REPO_ROOT, 'apps', 'playground', 'results') }, levels: { type: 'string', default: '8,32' } } });
  const seconds = Number(values.seconds);
  const levels = values.levels!.split(',').map(Number);
  if (!(seconds > 0 && seconds <= 120) || levels.some((c) => !(Number.isInteger(c) && c >= 1 && c <= 256))) throw new Error('--seconds must be in (0, 120] and --levels integers in [1, 256]');
  const progress = lineProgress((l) => process.stderr.write(`${l}\n`));
  const server = await startServer({ modelsDir: resolve(values.models!), dataDir: resolveDataDir().path, profile: values.profile === 'smoke' ? 'smoke' : 'quick', views: ['explain'], port: 0, progress, train: false });
  const explain = server.models.explain;
  if (!explain) throw new Error(`no explanation models: ${server.models.unavailable.explain ?? ''}`);
  const pairs = explain.samplePairs(400);
  const variants = explain.info().variants!.map((v) => v.id);
  const out: Level[] = [];
  try {
    for (const connections of levels) {
      let i = 0;
      const rss: number[] = [process.memoryUsage().rss];
      const timer = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
      const batchesBefore = variants.map((v) => explain.batchSizes(v).length);
      const r = await autocannon({
        url: `${server.url}/api/explain`,
        connections,
        duration: seconds,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(pairs[i++ % pairs.length]) }) }],
      });
      clearInterval(timer);
      rss.push(process.memoryUsage().rss);
      const sizes = variants.flatMap((v, k) => explain.batchSizes(v).slice(batchesBefore[k]));
      const mib = (b: number) => Math.round(b / 2 ** 20);
      out.push({
        connections,
        seconds,
        requests: r.requests.total,
        requestsPerSecond: r.requests.average,
        latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
        errors: r.errors,
        timeouts: r.timeouts,
        non2xx: r.non2xx,
        rssMiB: { start: mib(rss[0]!), end: mib(rss[rss.length - 1]!), max: mib(Math.max(...rss)) },
        batchMean: sizes.length ? sizes.reduce((a, b) => a + b, 0) / sizes.length : 0,
      });
      progress.log(`load check: ${connections} connections: ${r.requests.average.toFixed(1)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.errors} errors, ${r.non2xx} non-2xx`);
    }
  } finally {
    await server.close();
  }
  mkdirSync(values.out!, { recursive: true });
  const info = explain.info();
  const md = [
    `# Playground load check: POST /api/explain on loopback`,
    '',
    `Command: \`node apps/playground/dist/load-check.js --models ${values.models} --seconds ${seconds}\`; models: ${info.variants!.map((v) => v.label).join(', ')} (${values.profile} bench run on ${info.name}); each request explains one training pair with every variant (${variants.length} generations); autocannon, ${seconds} s per level; ${new Date().toISOString().slice(0, 10)}, ${process.platform}, Node ${process.version}.`,
    '',
    '| connections | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | timeouts | non-2xx | mean batch | RSS MiB start → end (max) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...out.map((l) => `| ${l.connections} | ${l.requests} | ${l.requestsPerSecond.toFixed(1)} | ${l.latencyMs.p50} | ${l.latencyMs.p90} | ${l.latencyMs.p99} | ${l.latencyMs.max} | ${l.errors} | ${l.timeouts} | ${l.non2xx} | ${l.batchMean.toFixed(1)} | ${l.rssMiB.start} → ${l.rssMiB.end} (${l.rssMiB.max}) |`),
    '',
  ].join('\n');
  await writeFileAtomic(join(values.out!, 'load-check.md'), md);
  await writeFileAtomic(join(values.out!, 'load-check.json'), `${JSON.stringify({ format: 'xrec-playground-load', version: 1, models: values.models, variants, levels: out }, null, 1)}\n`);
  process.stdout.write(md);
  if (out.some((l) => l.errors > 0 || l.non2xx > 0)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`load check: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
