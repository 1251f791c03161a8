/**
 * The module a worker thread can import for a given module URL: a compiled package runs from `dist/*.js`; a
 * source file (`src/*.ts`, as under vitest) maps to its compiled twin in `dist/`, which must have been built.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '@xrec/core';

export function runnableModule(url: string): string {
  if (!url.startsWith('file:')) return url; // a package specifier
  const path = fileURLToPath(url);
  if (!path.endsWith('.ts')) return url;
  const compiled = path.replace(/([\\/])src([\\/])(.*)\.ts$/, '$1dist$2$3.js');
  if (compiled === path || !existsSync(compiled)) {
    throw new ConfigError(`data-parallel training: ${path} has no compiled module at ${compiled} (run \`pnpm build\` first)`);
  }
  return pathToFileURL(compiled).href;
}
