#!/usr/bin/env node
// Micro benchmark (not a test): 2-D matmul GFLOP/s for each available tfjs backend at n = 256, 512, 1024.
// Usage: node apps/bench/scripts/matmul-gflops.mjs [--json]   (after `pnpm build`)
// A matmul of two n x n matrices costs 2 n^3 floating-point operations; we report the median over repeats.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@xrec/transformer';
import os from 'node:os';

const sizes = [256, 512, 1024];
const results = [];
for (const choice of ['node', 'wasm', 'cpu']) {
  let report;
  try {
    report = await initBackend({ force: choice });
  } catch (e) {
    results.push({ backend: choice, available: false, reason: String(e.message ?? e).split('\n')[0] });
    continue;
  }
  for (const n of sizes) {
    const a = tf.randomUniform([n, n], -1, 1, 'float32', 1);
    const b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
    const reps = choice === 'cpu' ? (n >= 1024 ? 2 : 3) : n >= 1024 ? 5 : 10;
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
    results.push({ backend: report.tfBackend, available: true, n, ms: +ms.toFixed(2), gflops: +((2 * n ** 3) / (ms * 1e6)).toFixed(2) });
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
