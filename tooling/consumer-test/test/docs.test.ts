// `pnpm run docs` (typedoc over every package's public entry) builds an API page per package, without warnings.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const out = mkdtempSync(join(tmpdir(), 'xrec-docs-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('the API reference has a page for every package and typedoc warns about nothing', () => {
  const bin = join(createRequire(import.meta.url).resolve('typedoc/package.json'), '..', 'bin', 'typedoc');
  const r = spawnSync(process.execPath, [bin, '--out', out], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  expect(r.status, r.stderr).toBe(0);
  expect(`${r.stdout}${r.stderr}`).not.toMatch(/warning/i);
  const pages = readdirSync(join(out, 'modules')).sort();
  for (const pkg of ['core', 'data', 'lora', 'metrics', 'native', 'p5', 'pepler', 'prompts', 'promptrec', 'tokenizer', 'transformer', 'up5']) {
    expect(pages.some((p) => p.startsWith(`${pkg}_src`)), `${pkg} in ${pages.join(', ')}`).toBe(true);
  }
  expect(existsSync(join(out, 'index.html'))).toBe(true);
});
