/**
 * End to end in a real browser: Debian's chromium driven by playwright-core (headless) against `startServer`
 * with smoke models trained on first start — an explanation, a cold-start query, a fairness toggle and the
 * benchmark tables, as a person would use them, at desktop and phone width (tour.ts). Screenshots go to
 * apps/playground/test-artifacts/. Skipped, with the reason, where no chromium is installed.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { datasetForTest, resolveDataDir, silentProgress } from '@xrec/core';
import { startServer, type RunningServer } from './serve.js';
import { DEFAULT_WEB_DIR } from './app.js';
import { REPO_ROOT } from './services/index.js';
import { CHROMIUM_ARGS, findChromium, tourBench, tourColdStart, tourExplain, tourFairness, tourPhone } from './tour.js';

const exe = findChromium();
const built = existsSync(join(DEFAULT_WEB_DIR, 'index.html'));
const skip = !exe ? '(skipped: no chromium found; .ci/run installs Debian’s chromium, or set XREC_CHROMIUM)' : !built ? '(skipped: the web page is not built: pnpm --filter @xrec/playground build)' : '';
const ml = datasetForTest('movielens-100k');
const ins = datasetForTest('insurance-fairness');
const shots = join(REPO_ROOT, 'apps', 'playground', 'test-artifacts');
const dir = mkdtempSync(join(tmpdir(), 'xrec-playground-e2e-'));
let server: RunningServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (skip) return;
  mkdirSync(shots, { recursive: true });
  server = await startServer({ modelsDir: dir, dataDir: resolveDataDir().path, profile: 'smoke', tuneEpochs: 1, port: 0, progress: silentProgress });
  browser = await chromium.launch({ executablePath: exe!, headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(Boolean(skip))(`the playground in headless chromium ${skip}`, () => {
  it('Explain: a user and item typed in give one card per variant (the API’s text), the reference and the retrieval baseline; bad input shows the server’s message', async () => {
    const [pair] = server.models.explain!.samplePairs(1);
    const seen = await tourExplain(page, server.url, pair!, shots);
    expect(seen.cards).toHaveLength(3);
    const api = (await (await fetch(`${server.url}/api/explain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(pair) })).json()) as { explanations: { text: string }[] };
    seen.cards.forEach((c, i) => expect(c).toContain(api.explanations[i]!.text));
    expect(seen.retrievalCards).toBe(1);
    await page.getByTestId('explain-user').fill('nobody-at-all');
    await page.getByTestId('explain-submit').click();
    await page.waitForSelector('[role="alert"]', { timeout: 30_000 });
    expect(await page.locator('[role="alert"]').first().textContent()).toMatch(/nobody-at-all/);
  });

  it.skipIf(!ml.path)(`Cold start: a new profile gets ten ranked movies per method ${ml.skipReason ?? ''}`, async () => {
    const seen = await tourColdStart(page, server.url, { age: 31, gender: 'F', occupation: 'writer' }, shots);
    expect(seen.rows).toBe(30);
    expect(seen.text).toMatch(/prompt-tuned xrec-base-mlm/);
  });

  it.skipIf(!ins.path)(`Fairness: ticking an attribute shows both lists and the attacker table ${ins.skipReason ?? ''}`, async () => {
    const seen = await tourFairness(page, server.url, server.models.fairness!.sampleUsers(1)[0]!, ['gender'], shots);
    expect([seen.plain, seen.fair]).toEqual([5, 5]);
    expect(seen.attacker).toMatch(/marital_status/);
  });

  it('Benchmarks: the shipped reports as sortable tables, one chart each; the page fits a phone', async () => {
    const seen = await tourBench(page, server.url, shots);
    expect(seen.tables).toBeGreaterThanOrEqual(4);
    expect(seen.charts).toBe(seen.tables);
    expect(seen.sortedAs).toMatch(/ascending|descending/);
    expect(await tourPhone(page, server.url, shots)).toBeLessThanOrEqual(1);
  });
});
