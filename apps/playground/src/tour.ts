/**
 * The playground used as a person would, step by step in a browser page (playwright-core): each step fills a
 * view's form, waits for the answer, saves a screenshot and returns what the page shows. The end-to-end test
 * asserts on these observations; `screenshots.ts` runs the same steps against the quick models for the README.
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** Debian's chromium (or $XREC_CHROMIUM); undefined when none is installed. */
export function findChromium(): string | undefined {
  for (const c of [process.env.XREC_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) if (c && existsSync(c)) return c;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];

const done = (page: Page, testid: string) => page.waitForSelector(`[data-testid="${testid}"][data-state="done"]`, { timeout: 120_000 });

export async function tourExplain(page: Page, url: string, pair: { user: string; item: string }, shots: string): Promise<{ cards: string[]; retrievalCards: number }> {
  await page.goto(`${url}/#explain`);
  await page.getByTestId('explain-user').fill(pair.user);
  await page.getByTestId('explain-item').fill(pair.item);
  await page.getByTestId('explain-submit').click();
  await done(page, 'explain-result');
  await page.screenshot({ path: join(shots, 'explain.png'), fullPage: true });
  return { cards: await page.getByTestId('explanation-card').allTextContents(), retrievalCards: await page.getByTestId('retrieval-card').count() };
}

export async function tourColdStart(page: Page, url: string, profile: { age: number; gender: 'M' | 'F'; occupation: string }, shots: string): Promise<{ rows: number; text: string }> {
  await page.goto(`${url}/#coldstart`);
  await page.getByTestId('coldstart-age').fill(String(profile.age));
  await page.getByTestId('coldstart-gender').selectOption(profile.gender);
  await page.getByTestId('coldstart-occupation').selectOption(profile.occupation);
  await page.getByTestId('coldstart-submit').click();
  await done(page, 'coldstart-result');
  await page.screenshot({ path: join(shots, 'coldstart.png'), fullPage: true });
  return { rows: await page.getByTestId('coldstart-row').count(), text: (await page.getByTestId('coldstart-result').textContent()) ?? '' };
}

export async function tourFairness(page: Page, url: string, user: string, hide: readonly string[], shots: string): Promise<{ plain: number; fair: number; attacker: string }> {
  await page.goto(`${url}/#fairness`);
  await page.getByTestId('fair-user').fill(user);
  await page.getByTestId('fair-submit').click();
  await done(page, 'fair-result');
  for (const a of hide) {
    await page.getByTestId(`fair-attr-${a}`).check();
    // (page-side code as a string: this file is type-checked without the DOM library)
    await page.waitForFunction(`(() => { const r = document.querySelector('[data-testid="fair-result"]'); return r?.getAttribute('data-state') === 'done' && r.textContent.includes(${JSON.stringify(a)}); })()`);
  }
  await page.screenshot({ path: join(shots, 'fairness.png'), fullPage: true });
  return { plain: await page.getByTestId('fair-plain').locator('li').count(), fair: await page.getByTestId('fair-fair').locator('li').count(), attacker: (await page.getByTestId('fair-attacker').textContent()) ?? '' };
}

export async function tourBench(page: Page, url: string, shots: string): Promise<{ tables: number; charts: number; sortedAs: string | null }> {
  await page.goto(`${url}/#bench`);
  await page.waitForSelector('[data-testid="bench-table"]', { timeout: 30_000 });
  const tables = page.getByTestId('bench-table');
  const header = tables.first().locator('th').nth(1);
  await header.locator('button').click();
  await page.screenshot({ path: join(shots, 'bench.png'), fullPage: false });
  return { tables: await tables.count(), charts: await page.getByTestId('bench-chart').count(), sortedAs: await header.getAttribute('aria-sort') };
}

/** The Explain view at phone width (375 px); returns how far the page overflows horizontally (0 = fits). */
export async function tourPhone(page: Page, url: string, shots: string): Promise<number> {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(`${url}/#explain`);
  await page.waitForSelector('[data-testid="explain-user"]');
  await page.screenshot({ path: join(shots, 'phone.png'), fullPage: true });
  return page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
}
