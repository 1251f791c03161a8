#!/bin/bash
# The wasm-only measurements of the transformer README (SIMD matmul vs tfjs-wasm, two rounds): `bash apps/bench/scripts/speed-wasm.sh` after `pnpm build`.
cd "$(dirname "$0")/../../.." # the repository root
X="node apps/cli/dist/bin.js bench speed"
B="--arch gpt2 --vocab 8000 --d-model 128 --heads 4 --layers 2 --seq 64 --batch 16 --steps 8"
date
for round in 1 2; do
echo "== round $round: wasm only, SIMD matmul, 2 replicas (issue command + --workers 1)"; XREC_NATIVE=0 $X $B --torch --repeat 3 --workers 1 | tail -3
echo "== round $round: wasm only, tfjs matmul (XREC_SIMD=0), 2 replicas"; XREC_NATIVE=0 XREC_SIMD=0 $X $B --torch --repeat 3 --workers 1 | tail -3
echo "== round $round: wasm only, SIMD, 1 replica"; XREC_NATIVE=0 $X $B --repeat 3 --workers 0 | tail -1
echo "== round $round: wasm only, tfjs matmul, 1 replica"; XREC_NATIVE=0 XREC_SIMD=0 $X $B --repeat 3 --workers 0 | tail -1
echo "== round $round: wasm only, SIMD, auto"; XREC_NATIVE=0 $X $B --repeat 3 | tail -1
done
echo "== llama wasm only SIMD 2 replicas"; XREC_NATIVE=0 $X --arch llama --vocab 8000 --d-model 128 --heads 4 --layers 2 --seq 64 --batch 16 --steps 8 --torch --repeat 2 --workers 1 | tail -3
echo "== llama wasm only tfjs 2 replicas"; XREC_NATIVE=0 XREC_SIMD=0 $X --arch llama --vocab 8000 --d-model 128 --heads 4 --layers 2 --seq 64 --batch 16 --steps 8 --repeat 2 --workers 1 | tail -1
echo "== matmul"; node apps/bench/scripts/matmul-gflops.mjs 2>&1 | tail -9
date
