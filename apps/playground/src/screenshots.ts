/**
 * The README's screenshots: the same tour as the end-to-end test, against the quick models in `--models`
 * (default `results`: the main job's explanation runs and `xrec bench fairness --profile quick --out
 * results/fairness`), into apps/playground/docs/.
 *
 *   node apps/playground/dist/screenshots.js --models results
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { lineProgress, resolveDataDir } from '@xrec/core';
import { startServer } from './serve.js';
import { REPO_ROOT } from './services/index.js';
import { CHROMIUM_ARGS, findChromium, tourBench, tourColdStart, tourExplain, tourFairness, tourPhone } from './tour.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { models: { type: 'string', default: 'results' }, out: { type: 'string', default: join(REPO_ROOT, 'apps', 'playground', 'docs') } } });
  const exe = findChromium();
  if (!exe) throw new Error('no chromium found (apt-get install chromium, or set XREC_CHROMIUM)');
  mkdirSync(values.out!, { recursive: true });
  const server = await startServer({ modelsDir: resolve(values.models!), dataDir: resolveDataDir().path, train: false, port: 0, progress: lineProgress((l) => process.stderr.write(`${l}\n`)) });
  const browser = await chromium.launch({ executablePath: exe, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
    const m = server.models;
    if (m.explain) await tourExplain(page, server.url, m.explain.samplePairs(1)[0]!, values.out!);
    if (m.coldstart) await tourColdStart(page, server.url, { age: 24, gender: 'M', occupation: 'technician' }, values.out!);
    if (m.fairness) await tourFairness(page, server.url, m.fairness.sampleUsers(1)[0]!, ['marital_status'], values.out!);
    await tourBench(page, server.url, values.out!);
    await tourPhone(page, server.url, values.out!);
    process.stderr.write(`screenshots: wrote ${values.out}\n`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`screenshots: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
