/**
 * How many worker threads data-parallel training uses when the user asks for `auto`. Measured with
 * `xrec bench speed --workers 0|1` on the 2-core machine of the transformer README:
 *
 * - native kernels (OpenBLAS already uses both cores inside each matmul): at 1,024 tokens per update
 *   (batch 16 × 64) one replica is faster (10.8–11.3k vs 9.5–9.7k tokens/s); at 2,048 (the xrec-base shape,
 *   batch 16 × 128) they tie (5.4k vs 5.5k); at 8,192 (batch 64 × 128) two replicas win (11.5k → 14.3k): the
 *   per-update exchange (~2 × parameters floats) and the optimizer run once, so the second core pays only
 *   when there is enough work per update;
 * - wasm only (one thread per replica): two replicas always pay (2.2k → 3.5k tokens/s at batch 16 × 64 on
 *   tfjs-wasm's matmul, 3.1k → 4.5k on xrec's SIMD one), except for tiny models, where the exchange dominates.
 */
import { availableParallelism } from 'node:os';
import { ConfigError } from '@xrec/core';

export interface AutoWorkersInput {
  readonly parameters: number;
  /** Rows (sequences, examples) per update: a replica needs at least one. */
  readonly batchRows: number;
  /** Target tokens per update (rows × sequence length). */
  readonly tokensPerStep: number;
  /** Whether the native (BLAS) kernels are active. */
  readonly native: boolean;
  readonly cores?: number;
}

/** Worker threads besides the trainer's own (0 = train on one thread). */
export function autoWorkers(i: AutoWorkersInput): number {
  const cores = i.cores ?? availableParallelism();
  const most = Math.min(cores - 1, i.batchRows - 1);
  if (most < 1 || i.parameters < 200_000) return 0;
  if (i.native && i.tokensPerStep < 4096) return 0;
  return most;
}

/**
 * A method's `parallel.workers` option as a thread count: an integer ≥ 0 as given (else a ConfigError naming
 * `where`), 'auto' through {@link autoWorkers} on what `auto()` says about the run, absent as 0.
 */
export function resolveWorkers(workers: number | 'auto' | undefined, where: string, auto: () => AutoWorkersInput): number {
  const w = workers ?? 0;
  if (w === 'auto') return autoWorkers(auto());
  if (!Number.isInteger(w) || w < 0) throw new ConfigError(`${where}: parallel.workers must be a non-negative integer or 'auto', got ${String(w)}`);
  return w;
}
