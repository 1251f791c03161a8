// Runs a package README's quick start as a test: the first ```ts block of README.md is written next to the
// package's sources (so `@xrec/*` imports resolve through the vitest aliases) and imported.
// Usage in a package test:
//   import { runReadmeQuickStart } from '../../../tooling/readme-quickstart.mjs';
//   it('README quick start runs', async () => { const mod = await runReadmeQuickStart(import.meta.dirname + '/..'); });
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** @param {string} packageDir @returns {string} the code of the first ```ts block */
export function readmeQuickStart(packageDir) {
  const md = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const m = /```(?:ts|typescript)\n([\s\S]*?)```/.exec(md);
  if (!m) throw new Error(`${packageDir}/README.md has no \`\`\`ts quick start block`);
  return m[1];
}

/** Write the quick start to a temporary module in the package, import it, delete it; returns the module. */
export async function runReadmeQuickStart(packageDir) {
  const code = readmeQuickStart(packageDir);
  const file = join(packageDir, 'src', `__readme_quickstart_${process.pid}.ts`);
  writeFileSync(file, code);
  try {
    return await import(/* @vite-ignore */ file);
  } finally {
    rmSync(file, { force: true });
  }
}
