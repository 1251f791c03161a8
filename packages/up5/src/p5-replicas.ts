/**
 * The data-parallel set-up every UP5 training shares: how many workers to use (from the trained variables'
 * size and the tokens a step carries) and, when there are workers, a snapshot of the frozen P5 in a temporary
 * directory for the replicas to load; the snapshot is removed when the training ends, however it ends.
 */
import type * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { P5Recommender } from '@xrec/p5';
import { nativeStatus, resolveWorkers } from '@xrec/transformer';

export interface P5ReplicaPlan {
  /** The trained variables (their total size sizes the exchange). */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** Rows per step, and the encoded rows (their mean target length gives the tokens per step). */
  readonly batchRows: number;
  readonly rows: readonly { readonly target: ArrayLike<number> }[];
  /** The requested workers (a count, `'auto'`, or none: in-process). */
  readonly requested: number | 'auto' | undefined;
  /** The caller's name, for errors. */
  readonly where: string;
}

/** Run `body` with the resolved worker count and the P5 snapshot's directory ('' when `workers` is 0). */
export async function withP5Replicas<T>(rec: P5Recommender, plan: P5ReplicaPlan, body: (workers: number, p5Dir: string) => Promise<T>): Promise<T> {
  const { variables, batchRows, rows } = plan;
  const workers = resolveWorkers(plan.requested, plan.where, () => ({
    parameters: [...variables.values()].reduce((a, v) => a + v.size, 0),
    batchRows,
    tokensPerStep: rows.length === 0 ? 0 : Math.round((batchRows * rows.reduce((a, r) => a + r.target.length, 0)) / rows.length),
    native: nativeStatus().active,
  }));
  const snapshot = workers > 0 ? mkdtempSync(join(tmpdir(), 'xrec-up5-dp-')) : undefined;
  try {
    if (snapshot) await rec.save(snapshot);
    return await body(workers, snapshot ?? '');
  } finally {
    if (snapshot) rmSync(snapshot, { recursive: true, force: true });
  }
}
