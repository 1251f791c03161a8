import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from './main.js';

const bin = join(import.meta.dirname, '..', 'dist', 'bin.js');
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });

function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const c of cmd.commands) {
    if (c.name() === 'help') continue;
    const path = [...prefix, c.name()];
    out.push(path);
    out.push(...commandPaths(c, path));
  }
  return out;
}

describe.skipIf(!existsSync(bin))('xrec CLI (built)', () => {
  it('output piped into a reader that stops early (`| head -1`) ends quietly, without an EPIPE stack trace', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" bench --help | head -1`], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout.trim()).toBe('Usage: xrec bench [options] [command]');
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
  });

  it('--version prints the package version', () => {
    const r = run(['--version']);
    expect(r.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('every subcommand explains itself with --help', async () => {
    const paths = commandPaths(buildProgram());
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) {
      let out = '';
      const program = buildProgram();
      const capture = (c: Command): void => {
        c.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
        c.commands.forEach(capture);
      };
      capture(program);
      let code: string | undefined;
      try {
        await program.parseAsync(['node', 'xrec', ...p, '--help']);
      } catch (e) {
        code = (e as { code?: string }).code;
      }
      expect(code, `xrec ${p.join(' ')} --help`).toBe('commander.helpDisplayed');
      expect(out).toMatch(new RegExp(`Usage: xrec ${p.join(' ')}`));
      expect(out.length, `xrec ${p.join(' ')} --help explains the command`).toBeGreaterThan(60);
    }
  });

  it('doctor reports the backend, versions, data directory and datasets, and exits 0', () => {
    const dataDir = join(import.meta.dirname, '..', 'test', 'fixtures', 'data-dir');
    const r = run(['--data-dir', dataDir, 'doctor', '--json'], { XREC_BACKEND: '' });
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(['node', 'wasm', 'cpu']).toContain(o.backend);
    expect(o.node).toBe(process.version);
    expect(o.tfjs).toMatch(/^4\./);
    expect(o.dataDir).toBe(dataDir);
    expect(o.datasets.find((d: { name: string }) => d.name === 'movielens-100k').found).toBe(true);
    expect(o.datasets.find((d: { name: string }) => d.name === 'movielens-1m').found).toBe(false);
    const text = run(['doctor'], { XREC_DATA_DIR: dataDir });
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/backend\s+(node|wasm|cpu)/);
    expect(text.stdout).toMatch(/\[found\]\s+movielens-100k/);
  });

  it('doctor shows the wasm SIMD matmul when the native kernels are off, and XREC_SIMD=0 turns it off', () => {
    const on = run(['doctor', '--json'], { XREC_BACKEND: 'wasm', XREC_NATIVE: '0' });
    expect(on.status, on.stderr).toBe(0);
    expect(JSON.parse(on.stdout).simd).toEqual({ active: true, kernels: ['BatchMatMul'] });
    const text = run(['doctor'], { XREC_BACKEND: 'wasm', XREC_NATIVE: '0' });
    expect(text.stdout).toMatch(/simd\s+wasm SIMD kernels: BatchMatMul/);
    const off = run(['doctor', '--json'], { XREC_BACKEND: 'wasm', XREC_NATIVE: '0', XREC_SIMD: '0' });
    expect(JSON.parse(off.stdout).simd).toEqual({ active: false, reason: 'XREC_SIMD=0', kernels: [] });
  });

  it('doctor honours XREC_BACKEND=cpu and rejects an unknown backend clearly', () => {
    const r = run(['doctor', '--json'], { XREC_BACKEND: 'cpu' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).backend).toBe('cpu');
    const bad = run(['doctor'], { XREC_BACKEND: 'gpu9000' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/BackendError \[XREC_BACKEND\].*unknown backend 'gpu9000'/);
  });

  it('an unknown command fails with usage help', () => {
    const r = run(['no-such-command']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown command/);
  });
});
