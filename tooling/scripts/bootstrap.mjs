#!/usr/bin/env node
// The README's two commands land here (`npm run main`, `npm test`), on a machine with only Node.js 20 and npm:
// make sure pnpm 10.34.9 is available (install it with npm when missing), install the workspace from the
// lockfile, build it, then run the requested job.
import { execSync, spawn, spawnSync } from 'node:child_process';
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

/**
 * Run the test suites, echoing their output, and close with one plain summary line summed over every
 * package's vitest summary: `tests: N passed, N failed, N skipped`.
 */
async function runTests(cmd, args) {
  console.error(`[xrec] ${[cmd, ...args].join(' ')}`);
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
  let out = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    out += chunk.toString();
  });
  const status = await new Promise((res) => child.on('close', (code) => res(code ?? 1)));
  const totals = { passed: 0, failed: 0, skipped: 0 };
  // eslint-disable-next-line no-control-regex
  for (const line of out.replace(/\u001b\[[0-9;]*m/g, '').split('\n')) {
    const m = /^\S*\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line);
    if (!m) continue;
    for (const part of m[1].split('|')) {
      const p = /(\d+)\s+(passed|failed|skipped)/.exec(part);
      if (p) totals[p[2]] += Number(p[1]);
    }
  }
  console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  if (status !== 0) process.exit(status);
}

const [pnpm, ...pre] = pnpmCommand();
run(pnpm, [...pre, 'install', '--frozen-lockfile']);
run(pnpm, [...pre, 'run', 'build']);
if (job === 'test') {
  await runTests(pnpm, [...pre, 'exec', 'turbo', 'run', 'test', '--concurrency=1', ...extra]);
} else if (job === 'main') {
  run(pnpm, [...pre, 'run', 'xrec', 'doctor']);
  run(pnpm, [...pre, 'run', 'xrec', 'bench', 'explain', '--dataset', 'default', '--profile', 'quick', '--out', 'results/quick', ...extra]);
} else {
  console.error(`[xrec] unknown job '${job}' (expected main or test)`);
  process.exit(2);
}
