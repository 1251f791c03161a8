#!/usr/bin/env node
// Pack every publishable workspace package into one folder an npm project installs from — the supported way
// to use xrec packages outside this checkout (pnpm rewrites `workspace:*` to real versions; `npm pack` and
// `npm install <checkout>/packages/x` do not, and symlinked installs load two copies of tfjs).
//
//   node tooling/scripts/pack.mjs --out /tmp/xrec-packs          (after `pnpm build`)
//   cd my-project && npm install /tmp/xrec-packs/*.tgz
//
// Prints one JSON object: { out, tarballs: [{ name, version, file }] }. Never deletes anything: --out must be
// empty or absent.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const args = process.argv.slice(2);
if (args.includes('--help')) {
  process.stdout.write('usage: node tooling/scripts/pack.mjs --out DIR\n  packs packages/* (built) into DIR as <scope>-<name>-<version>.tgz\n');
  process.exit(0);
}
const i = args.indexOf('--out');
if (i < 0 || !args[i + 1]) {
  process.stderr.write('pack: --out DIR is required (run with --help)\n');
  process.exit(64);
}
const out = resolve(args[i + 1]);
if (existsSync(out) && readdirSync(out).length > 0) {
  process.stderr.write(`pack: --out ${out} is not empty; give a new or empty folder\n`);
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const tarballs = [];
for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const pkgDir = join(root, 'packages', dir);
  const pj = join(pkgDir, 'package.json');
  if (!existsSync(pj)) continue;
  const pkg = JSON.parse(readFileSync(pj, 'utf8'));
  if (pkg.private) continue;
  if (!existsSync(join(pkgDir, 'dist'))) {
    process.stderr.write(`pack: ${pkg.name} has no dist/ (run \`pnpm build\` first)\n`);
    process.exit(2);
  }
  const r = spawnSync('pnpm', ['pack', '--pack-destination', out], { cwd: pkgDir, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`pack: pnpm pack failed in ${pkgDir}: ${r.stderr || r.error?.message}\n`);
    process.exit(1);
  }
  const file = readdirSync(out).find((f) => f.startsWith(`${pkg.name.replace('@', '').replace('/', '-')}-${pkg.version}`) && f.endsWith('.tgz'));
  tarballs.push({ name: pkg.name, version: pkg.version, file: file ? join(out, file) : undefined });
}
process.stdout.write(`${JSON.stringify({ out, tarballs })}\n`);
