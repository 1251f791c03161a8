/**
 * The check every data-parallel replica needs (the LM's, LoRA's, PEPLER's, P5's, PromptRec's tests use it; so
 * can a method's own): train once on one thread and once over `workers` more, then compare the final weights
 * and the tensors left behind by the parallel run.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@xrec/core';

export interface SingleThreadComparison<T> {
  readonly single: T;
  readonly parallel: T;
  /** Largest |parallel − single| over every weight (float summation order differs, so not 0). */
  readonly maxAbsDiff: number;
  /** Tensors the parallel run left allocated (0 when nothing leaks). */
  readonly leakedTensors: number;
}

/** Run `run(0)` then `run(workers)` and compare the weights `weights` reads from each result. */
export async function againstSingleThread<T>(run: (workers: number) => Promise<T>, weights: (r: T) => readonly Float32Array[], workers = 1): Promise<SingleThreadComparison<T>> {
  const single = await run(0);
  const before = tf.memory().numTensors;
  const parallel = await run(workers);
  const leakedTensors = tf.memory().numTensors - before;
  const a = weights(single);
  const b = weights(parallel);
  if (a.length !== b.length) throw new ShapeError(`againstSingleThread: ${a.length} weights on one thread, ${b.length} in parallel`);
  let maxAbsDiff = 0;
  a.forEach((w, k) => {
    const v = b[k]!;
    if (v.length !== w.length) throw new ShapeError(`againstSingleThread: weight ${k} has ${w.length} values on one thread, ${v.length} in parallel`);
    for (let j = 0; j < w.length; j++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v[j]! - w[j]!));
  });
  return { single, parallel, maxAbsDiff, leakedTensors };
}
