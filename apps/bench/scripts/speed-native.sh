#!/bin/bash
# The speed measurements of the transformer README (native kernels), back to back: `bash apps/bench/scripts/speed-native.sh` after `pnpm build`.
cd "$(dirname "$0")/../../.." # the repository root
X="node apps/cli/dist/bin.js bench speed"
B="--arch gpt2 --vocab 8000 --d-model 128 --heads 4 --layers 2 --seq 64 --batch 16 --steps 8"
echo "== issue command (auto workers)"; $X $B --torch --repeat 3 | tail -3
echo "== issue command, --workers 1"; $X $B --torch --repeat 3 --workers 1 | tail -3
echo "== wasm only, 1 replica"; XREC_NATIVE=0 $X $B --torch --repeat 2 --workers 0 | tail -3
echo "== wasm only, 2 replicas"; XREC_NATIVE=0 $X $B --torch --repeat 2 --workers 1 | tail -3
echo "== llama"; $X --arch llama --vocab 8000 --d-model 128 --heads 4 --layers 2 --seq 64 --batch 16 --steps 8 --torch --repeat 2 | tail -3
echo "== xrec-base shape w0"; $X --arch gpt2 --vocab 8192 --d-model 192 --heads 4 --layers 4 --seq 128 --batch 16 --steps 4 --torch --repeat 2 --workers 0 | tail -3
echo "== xrec-base shape w1"; $X --arch gpt2 --vocab 8192 --d-model 192 --heads 4 --layers 4 --seq 128 --batch 16 --steps 4 --repeat 2 --workers 1 | tail -1
echo "== B64 T128 w0"; $X $B --seq 128 --batch 64 --steps 4 --torch --repeat 2 --workers 0 | tail -3
echo "== B64 T128 w1"; $X $B --seq 128 --batch 64 --steps 4 --repeat 2 --workers 1 | tail -1
echo "== matmul"; node apps/bench/scripts/matmul-gflops.mjs 2>&1 | tail -12
