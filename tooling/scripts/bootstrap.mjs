#!/usr/bin/env node
// The README's two commands land here (`npm run main`, `npm test`), on a machine with only Node.js 20 and npm:
// make sure pnpm 10.34.9 is available (install it with npm when missing), install the workspace from the
// lockfile, build it, then run the requested job.
import { execSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PNPM_VERSION = '10.34.9';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const job = process.argv[2] ?? 'test';
const extra = process.argv.slice(3);

function pnpmCommand() {
  try {
    const v = execSync('pnpm --version', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    if (v === PNPM_VERSION) return ['pnpm'];
    console.error(`[xrec] pnpm ${v} found; this workspace pins ${PNPM_VERSION}, using npx pnpm@${PNPM_VERSION}`);
    return ['npx', '-y', `pnpm@${PNPM_VERSION}`];
  } catch {
    console.error(`[xrec] pnpm not found: installing pnpm@${PNPM_VERSION} with npm`);
    const r = spawnSync('npm', ['install', '-g', `pnpm@${PNPM_VERSION}`], { stdio: 'inherit' });
    if (r.status === 0) return ['pnpm'];
    console.error(`[xrec] global install failed; falling back to npx pnpm@${PNPM_VERSION}`);
    return ['npx', '-y', `pnpm@${PNPM_VERSION}`];
  }
}

function run(cmd, args, env = {}) {
  console.error(`[xrec] ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const [pnpm, ...pre] = pnpmCommand();
run(pnpm, [...pre, 'install', '--frozen-lockfile']);
run(pnpm, [...pre, 'run', 'build']);
if (job === 'test') {
  run(pnpm, [...pre, 'exec', 'turbo', 'run', 'test', '--concurrency=1', ...extra]);
} else if (job === 'main') {
  run(pnpm, [...pre, 'run', 'xrec', 'doctor']);
  run(pnpm, [...pre, 'run', 'xrec', 'bench', 'explain', '--dataset', 'default', '--profile', 'quick', '--out', 'results/quick', ...extra]);
} else {
  console.error(`[xrec] unknown job '${job}' (expected main or test)`);
  process.exit(2);
}
