/**
 * End to end in a real browser: Debian's chromium driven by playwright-core (headless) against `startServer`
 * with smoke models trained on first start — an explanation, a cold-start query, a fairness toggle and the
 * benchmark tables, as a person would use them, at desktop and phone width. Screenshots go to
 * apps/playground/test-artifacts/. Skipped, with the reason, where no chromium is installed.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { datasetForTest, resolveDataDir, silentProgress } from '@xrec/core';
import { startServer, type RunningServer } from './serve.js';
import { DEFAULT_WEB_DIR } from './app.js';
import { REPO_ROOT } from './services/index.js';

function findChromium(): string | undefined {
  for (const c of [process.env.XREC_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) if (c && existsSync(c)) return c;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const exe = findChromium();
const built = existsSync(join(DEFAULT_WEB_DIR, 'index.html'));
const skip = !exe ? '(skipped: no chromium found; .ci/run installs Debian’s chromium, or set XREC_CHROMIUM)' : !built ? '(skipped: the web page is not built: pnpm --filter @xrec/playground build)' : '';
const ml = datasetForTest('movielens-100k');
const ins = datasetForTest('insurance-fairness');
const artifacts = join(REPO_ROOT, 'apps', 'playground', 'test-artifacts');
const dir = mkdtempSync(join(tmpdir(), 'xrec-playground-e2e-'));
let server: RunningServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (skip) return;
  mkdirSync(artifacts, { recursive: true });
  server = await startServer({ modelsDir: dir, dataDir: resolveDataDir().path, profile: 'smoke', tuneEpochs: 1, port: 0, progress: silentProgress });
  browser = await chromium.launch({ executablePath: exe!, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const done = (testid: string) => page.waitForSelector(`[data-testid="${testid}"][data-state="done"]`, { timeout: 60_000 });

describe.skipIf(Boolean(skip))(`the playground in headless chromium ${skip}`, () => {
  it('Explain: a user and item typed in give one card per variant, the reference and the retrieval baseline', async () => {
    const [pair] = server.models.explain!.samplePairs(1);
    await page.goto(`${server.url}/#explain`);
    await page.getByTestId('explain-user').fill(pair!.user);
    await page.getByTestId('explain-item').fill(pair!.item);
    await page.getByTestId('explain-submit').click();
    await done('explain-result');
    const cards = page.getByTestId('explanation-card');
    expect(await cards.count()).toBe(3);
    const api = (await (await fetch(`${server.url}/api/explain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(pair) })).json()) as { explanations: { text: string }[] };
    expect(await cards.first().textContent()).toContain(api.explanations[0]!.text);
    expect(await page.getByTestId('retrieval-card').count()).toBe(1);
    await page.screenshot({ path: join(artifacts, 'explain.png'), fullPage: true });
    // bad input shows the server's message and the page keeps working
    await page.getByTestId('explain-user').fill('nobody-at-all');
    await page.getByTestId('explain-submit').click();
    await page.waitForSelector('[role="alert"]', { timeout: 30_000 });
    expect(await page.locator('[role="alert"]').first().textContent()).toMatch(/nobody-at-all/);
  });

  it.skipIf(!ml.path)(`Cold start: a new profile gets ranked movies per method ${ml.skipReason ?? ''}`, async () => {
    await page.goto(`${server.url}/#coldstart`);
    await page.getByTestId('coldstart-age').fill('31');
    await page.getByTestId('coldstart-gender').selectOption('F');
    await page.getByTestId('coldstart-occupation').selectOption('writer');
    await page.getByTestId('coldstart-submit').click();
    await done('coldstart-result');
    const rows = page.getByTestId('coldstart-row');
    expect(await rows.count()).toBe(30); // 10 per method, 3 methods
    expect(await page.getByTestId('coldstart-result').textContent()).toMatch(/prompt-tuned xrec-base-mlm/);
    await page.screenshot({ path: join(artifacts, 'coldstart.png'), fullPage: true });
  });

  it.skipIf(!ins.path)(`Fairness: ticking an attribute shows both lists and the attacker table ${ins.skipReason ?? ''}`, async () => {
    const user = server.models.fairness!.sampleUsers(1)[0]!;
    await page.goto(`${server.url}/#fairness`);
    await page.getByTestId('fair-user').fill(user);
    await page.getByTestId('fair-submit').click();
    await done('fair-result');
    await page.getByTestId('fair-attr-gender').check();
    // (page-side code as strings: this file is type-checked without the DOM library)
    await page.waitForFunction(`(() => { const r = document.querySelector('[data-testid="fair-result"]'); return r?.getAttribute('data-state') === 'done' && r.textContent.includes('gender'); })()`);
    expect(await page.getByTestId('fair-plain').locator('li').count()).toBe(5);
    expect(await page.getByTestId('fair-fair').locator('li').count()).toBe(5);
    expect(await page.getByTestId('fair-attacker').textContent()).toMatch(/marital_status/);
    await page.screenshot({ path: join(artifacts, 'fairness.png'), fullPage: true });
  });

  it('Benchmarks: the shipped reports as sortable tables with charts; the page fits a phone', async () => {
    await page.goto(`${server.url}/#bench`);
    await page.waitForSelector('[data-testid="bench-table"]', { timeout: 30_000 });
    const tables = page.getByTestId('bench-table');
    expect(await tables.count()).toBeGreaterThanOrEqual(4);
    expect(await page.getByTestId('bench-chart').count()).toBe(await tables.count());
    const header = tables.first().locator('th').nth(1);
    await header.locator('button').click();
    expect(await header.getAttribute('aria-sort')).toMatch(/ascending|descending/);
    await page.screenshot({ path: join(artifacts, 'bench.png'), fullPage: false });
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${server.url}/#explain`);
    await page.waitForSelector('[data-testid="explain-user"]');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(artifacts, 'phone.png'), fullPage: true });
  });
});
