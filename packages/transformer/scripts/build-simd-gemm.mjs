// Assemble scripts/simd-gemm-wat.mjs into src/simd/gemm-wasm.ts (the module's bytes, base64, and its workspace
// size). Run after changing the generator: `node scripts/build-simd-gemm.mjs`; the package's tests check that
// the committed file is what this script writes (src/simd/simd-gemm.test.ts).
import { writeFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { simdGemmSource } from './simd-gemm-source.mjs';

const out = fileURLToPath(new URL('../src/simd/gemm-wasm.ts', import.meta.url));
const text = await simdGemmSource();
const tmp = `${out}.tmp-${process.pid}`;
writeFileSync(tmp, text);
renameSync(tmp, out);
console.log(`wrote ${out} (${text.length} characters)`);
