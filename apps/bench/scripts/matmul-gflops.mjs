#!/usr/bin/env node
// Micro benchmark (not a test): 2-D matmul GFLOP/s for each available tfjs backend at n = 256, 512, 1024.
// Usage: node apps/bench/scripts/matmul-gflops.mjs [--json]   (after `pnpm build`)
// A matmul of two n x n matrices costs 2 n^3 floating-point operations; we report the median over repeats.
import * as tf from '@tensorflow/tfjs';
import { activateNativeKernels, activateSimdKernels, deactivateNativeKernels, deactivateSimdKernels, initBackend, nativeStatus, simdStatus } from '@xrec/transformer';
import { spawnSync } from 'node:child_process';
import os from 'node:os';

const sizes = [256, 512, 1024];
const results = [];

function measure(label, n, reps) {
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
  tf.matMul(a, b).dataSync(); // warm-up
  const times = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    times.push(performance.now() - t0);
    c.dispose();
  }
  a.dispose();
  b.dispose();
  times.sort((x, y) => x - y);
  const ms = times[Math.floor(times.length / 2)];
  results.push({ backend: label, available: true, n, ms: +ms.toFixed(2), gflops: +((2 * n ** 3) / (ms * 1e6)).toFixed(2) });
}

for (const choice of ['node', 'wasm', 'cpu']) {
  let report;
  try {
    report = await initBackend({ force: choice });
  } catch (e) {
    results.push({ backend: choice, available: false, reason: String(e.message ?? e).split('\n')[0] });
    continue;
  }
  if (choice === 'wasm') {
    // xrec's native kernels (BLAS) when built, then tfjs-wasm's own kernel in the same process
    if (nativeStatus().active) {
      for (const n of sizes) measure(`wasm + native (${nativeStatus().blas}, ${nativeStatus().threads} threads)`, n, n >= 1024 ? 10 : 20);
    } else results.push({ backend: 'wasm + native', available: false, reason: nativeStatus().reason ?? 'off' });
    deactivateNativeKernels();
    // xrec's wasm SIMD matmul (what runs without the native kernels), then tfjs-wasm's own kernel
    if ((await activateSimdKernels()).active) for (const n of sizes) measure('wasm + xrec SIMD matmul (1 thread)', n, n >= 1024 ? 5 : 10);
    else results.push({ backend: 'wasm + xrec SIMD matmul', available: false, reason: simdStatus().reason ?? 'off' });
    deactivateSimdKernels();
    for (const n of sizes) measure('wasm (tfjs kernel)', n, n >= 1024 ? 5 : 10);
    await activateNativeKernels();
    continue;
  }
  for (const n of sizes) measure(report.tfBackend, n, choice === 'cpu' ? (n >= 1024 ? 2 : 3) : n >= 1024 ? 5 : 10);
}

// The machine's peak: OpenBLAS sgemm through numpy (Debian python3-numpy), 1 thread and all cores, same run.
for (const threads of [1, os.cpus().length]) {
  const py = `import numpy as np, time
for n in ${JSON.stringify(sizes)}:
    a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32); a @ b
    ts = []
    for _ in range(10):
        t = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t)
    ts.sort(); print(n, ts[len(ts) // 2] * 1000)`;
  const r = spawnSync('python3', ['-c', py], { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads) } });
  if (r.status !== 0) {
    results.push({ backend: `numpy/OpenBLAS peak (${threads} thread${threads > 1 ? 's' : ''})`, available: false, reason: (r.stderr || 'python3 with numpy not found').trim().split('\n').pop() });
    continue;
  }
  for (const line of r.stdout.trim().split('\n')) {
    const [n, ms] = line.split(' ').map(Number);
    results.push({ backend: `numpy/OpenBLAS peak (${threads} thread${threads > 1 ? 's' : ''})`, available: true, n, ms: +ms.toFixed(2), gflops: +((2 * n ** 3) / (ms * 1e6)).toFixed(2) });
  }
}
const meta = { node: process.version, tfjs: tf.version.tfjs, cpu: os.cpus()[0]?.model, cores: os.cpus().length, date: new Date().toISOString() };
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ meta, results }, null, 2));
} else {
  console.log(`2-D matmul GFLOP/s (median), ${meta.cpu}, ${meta.cores} cores, Node ${meta.node}, tfjs ${meta.tfjs}`);
  console.log('| backend | n=256 | n=512 | n=1024 |');
  console.log('|---|---|---|---|');
  const backends = [...new Set(results.map((r) => r.backend))];
  for (const b of backends) {
    const rows = results.filter((r) => r.backend === b);
    if (!rows[0].available) {
      console.log(`| ${b} | unavailable: ${rows[0].reason.slice(0, 80)} | | |`);
      continue;
    }
    console.log(`| ${b} | ${sizes.map((n) => rows.find((r) => r.n === n)?.gflops ?? '-').join(' | ')} |`);
  }
}
