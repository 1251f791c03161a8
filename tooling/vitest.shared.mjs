// Shared vitest configuration for every workspace package.
// Workspace imports (`@xrec/<name>`) resolve to the package's TypeScript source in tests, so a change in
// one package is seen by the tests of the packages above it without a rebuild.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Map every `@xrec/*` workspace package to its `src/index.ts`. */
export function workspaceAliases() {
  const aliases = [];
  for (const group of ['packages', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const pkgFile = join(dir, name, 'package.json');
      const entry = join(dir, name, 'src', 'index.ts');
      if (!existsSync(pkgFile) || !existsSync(entry)) continue;
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
      aliases.push({ find: new RegExp(`^${pkg.name.replace('/', '\\/')}$`), replacement: entry });
    }
  }
  return aliases;
}

/** @param {string} packageDir @param {import('vitest/config').UserConfig} [extra] */
export function xrecVitestConfig(packageDir, extra = {}) {
  return defineConfig({
    ...extra,
    resolve: { alias: workspaceAliases() },
    test: {
      root: packageDir,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      pool: 'forks',
      ...(extra.test ?? {}),
    },
  });
}

export const repoRoot = root;
