#!/usr/bin/env node
// Build the N-API addon build/xrec_native.node with the system C compiler against the headers of the Node
// that runs this script (<prefix>/include/node: no download). Runs at install and at `pnpm build`; skips
// when the addon is newer than its source. It never fails the install: when there is no compiler or no
// headers it writes build/status.json with the reason, and xrec runs on wasm.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const srcDir = join(pkg, 'src');
// xrec_fast.c (exp, softmax, GELU, cross-entropy rows) may reassociate so the compiler vectorises it; the other
// files keep strict IEEE order (the AdamW update matches the JS kernel bit for bit).
const fastSrc = join(srcDir, 'xrec_fast.c');
const strictSrcs = ['xrec_native.c', 'xrec_blas.c', 'xrec_norm.c', 'xrec_output.c', 'xrec_attention.c'].map((f) => join(srcDir, f));
const headers = readdirSync(srcDir).filter((f) => f.endsWith('.h')).map((f) => join(srcDir, f));
const sources = [...strictSrcs, fastSrc, ...headers];
const outDir = join(pkg, 'build');
const out = join(outDir, 'xrec_native.node');
const statusFile = join(outDir, 'status.json');
const force = process.argv.includes('--force');

function writeStatus(status) {
  mkdirSync(outDir, { recursive: true });
  const tmp = `${statusFile}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(status, null, 2)}\n`);
  renameSync(tmp, statusFile);
}

function fail(reason) {
  writeStatus({ ok: false, reason, node: process.version, at: new Date().toISOString() });
  console.error(`[@xrec/native] not built: ${reason} (xrec will use the wasm kernels)`);
  process.exit(0);
}

if (process.env.XREC_NATIVE === '0') fail('XREC_NATIVE=0');
const newest = Math.max(...[...sources, fileURLToPath(import.meta.url)].map((f) => statSync(f).mtimeMs));
if (!force && existsSync(out) && statSync(out).mtimeMs >= newest) {
  process.exit(0);
}

const candidates = [process.env.npm_config_nodedir, join(dirname(process.execPath), '..')].filter(Boolean);
const nodeDir = candidates.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
if (!nodeDir) fail(`Node's headers not found (looked for include/node/node_api.h under ${candidates.join(', ')})`);
const include = join(nodeDir, 'include', 'node');

const compilers = [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean);
const cc = compilers.find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
if (!cc) fail(`no C compiler found (tried ${compilers.join(', ')}); install gcc or set CC`);

mkdirSync(outDir, { recursive: true });
const tmp = join(outDir, `xrec_native.node.tmp-${process.pid}`);
const fastObj = join(outDir, `xrec_fast.o.tmp-${process.pid}`);
const common = ['-fPIC', '-O3', '-std=c11', '-D_GNU_SOURCE', '-fvisibility=hidden'];
const fastFlags = ['-fno-math-errno', '-fno-trapping-math', '-fassociative-math', '-fno-signed-zeros'];
const link = ['-shared', '-DNODE_GYP_MODULE_NAME=xrec_native', `-I${include}`, ...strictSrcs, fastObj, '-o', tmp, '-ldl', '-lm'];
function compile(arch) {
  const a = spawnSync(cc, [...arch, ...common, ...fastFlags, '-c', fastSrc, '-o', fastObj], { encoding: 'utf8' });
  if (a.status !== 0) return a;
  return spawnSync(cc, [...arch, ...common, ...link], { encoding: 'utf8' });
}
// -march=native where the compiler accepts it (the addon is built on the machine that runs it).
let r = compile(['-march=native']);
if (r.status !== 0) r = compile([]);
rmSync(fastObj, { force: true });
if (r.status !== 0) {
  rmSync(tmp, { force: true });
  fail(`${cc} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(0, 5).join(' | ')}`);
}
renameSync(tmp, out);
const sourceBytes = sources.reduce((a, f) => a + readFileSync(f).length, 0);
writeStatus({ ok: true, compiler: cc, nodeHeaders: include, node: process.version, sourceBytes, at: new Date().toISOString() });
console.error(`[@xrec/native] built ${out}`);
