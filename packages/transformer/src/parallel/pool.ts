/**
 * The trainer's side of data-parallel training: worker threads holding replicas, a shared buffer of the
 * published weights and one gradient slot per worker. See {@link DataParallel} for the algorithm.
 */
import { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import { StateError } from '@xrec/core';
import type { ReplicaSpec, StepContext, TrainBatch } from '../train-types.js';
import { nativeStatus, setNativeThreads } from '../native-kernels.js';
import { flatLayout, weightsChecksum, type FlatLayout } from './layout.js';
import { runnableModule } from './module-url.js';
import type { StepMessage } from './worker.js';

interface Reply {
  readonly type: 'ready' | 'done' | 'error';
  readonly loss?: number;
  readonly checksum?: string;
  readonly message?: string;
}

export class ReplicaPool {
  private version = 0;
  private published = -1;
  private readonly weights: Float32Array;
  private readonly grads: Float32Array;
  /** The resolver of the reply each worker owes, if any. */
  private readonly owed: (((r: Reply) => void) | undefined)[];
  private failure: StateError | undefined;
  private inflight: Promise<Reply>[] = [];

  private constructor(
    private readonly workers: Worker[],
    readonly layout: FlatLayout,
    weights: SharedArrayBuffer,
    grads: SharedArrayBuffer,
  ) {
    this.weights = new Float32Array(weights);
    this.grads = new Float32Array(grads);
    this.owed = workers.map(() => undefined);
  }

  /** Start `count` workers and wait until each has built its replica (a worker error rejects, naming it). */
  static async start(spec: ReplicaSpec, count: number, variables: ReadonlyMap<string, tf.Variable>, backend: string): Promise<ReplicaPool> {
    const layout = flatLayout(variables);
    const weights = new SharedArrayBuffer(layout.size * 4);
    const grads = new SharedArrayBuffer(layout.size * 4 * count);
    const resolved = { ...spec, module: runnableModule(spec.module) };
    const entry = new URL(runnableModule(new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url).href));
    const workers = Array.from({ length: count }, (_, i) => new Worker(entry, { workerData: { spec: resolved, rank: i + 1, layout, weights, grads, backend } }));
    const pool = new ReplicaPool(workers, layout, weights, grads);
    // One BLAS thread per replica (OpenBLAS's thread count is per process: the workers set it too); close()
    // puts the trainer's count back.
    pool.blasThreads = nativeStatus().threads;
    setNativeThreads(1);
    const ready = workers.map((_, i) => pool.expect(i));
    workers.forEach((w, i) => {
      w.on('message', (r: Reply) => pool.reply(i, r));
      w.on('error', (e) => pool.reply(i, { type: 'error', message: e.message }));
      w.on('exit', (code) => pool.reply(i, { type: 'error', message: `exited with code ${code}` }));
    });
    try {
      pool.check(await Promise.all(ready));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  private expect(i: number): Promise<Reply> {
    if (this.failure) return Promise.resolve({ type: 'error', message: this.failure.message });
    return new Promise((res) => {
      this.owed[i] = res;
    });
  }

  private reply(i: number, r: Reply): void {
    if (r.type === 'error') this.failure ??= new StateError(`data-parallel worker ${i + 1}: ${r.message}`);
    const f = this.owed[i];
    this.owed[i] = undefined;
    f?.(r);
  }

  private check(replies: Reply[]): void {
    if (this.failure) throw this.failure;
    const bad = replies.find((r) => r.type === 'error');
    if (bad) throw new StateError(`data-parallel worker: ${bad.message}`);
  }

  /** Mark the trainer's variables as changed (they are copied to the shared buffer before the next dispatch). */
  invalidate(): void {
    this.version += 1;
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Publish the weights if they changed, then send shard i with its context and weight (its share of the
   * batch's tokens) to worker i, asking for the gradient of update rule `rule` over the variables at layout
   * `slots`. Returns the seconds spent publishing.
   */
  dispatch(variables: readonly tf.Variable[], shards: readonly TrainBatch[], ctxs: readonly StepContext[], weights: readonly number[], rule: string, slots: readonly number[]): number {
    if (this.failure) throw this.failure;
    const t0 = performance.now();
    this.publish(variables);
    const seconds = (performance.now() - t0) / 1000;
    this.inflight = shards.map((batch, i) => {
      const p = this.expect(i);
      const m: StepMessage = { type: 'step', batch, ctx: ctxs[i]!, weight: weights[i]!, version: this.version, rule, slots };
      this.workers[i]!.postMessage(m);
      return p;
    });
    return seconds;
  }

  private publish(variables: readonly tf.Variable[]): void {
    if (this.published === this.version) return;
    this.layout.slots.forEach((s, i) => this.weights.set(variables[i]!.dataSync() as Float32Array, s.offset));
    this.published = this.version;
  }

  /**
   * Check that every replica holds exactly the trainer's weights: each worker loads the published weights
   * and hashes its own variables' float bits; a mismatch throws a StateError naming the worker.
   */
  async verify(variables: readonly tf.Variable[]): Promise<void> {
    this.publish(variables);
    const want = weightsChecksum(variables);
    const replies = await Promise.all(
      this.workers.map((w, i) => {
        const p = this.expect(i);
        const m: StepMessage = { type: 'checksum', version: this.version };
        w.postMessage(m);
        return p;
      }),
    );
    this.check(replies);
    replies.forEach((r, i) => {
      if (r.checksum !== want) throw new StateError(`data-parallel worker ${i + 1} holds different weights (checksum ${r.checksum}, trainer ${want})`);
    });
  }

  /**
   * Wait for the dispatched shards: their losses, and a function giving, for variable slot k, the sum of the
   * workers' weighted gradients in worker order (the same order every step, so the result is deterministic).
   */
  async gather(): Promise<{ losses: number[]; gradient: (slot: number) => Float32Array }> {
    const replies = await Promise.all(this.inflight);
    this.check(replies);
    const n = this.inflight.length;
    this.inflight = [];
    const size = this.layout.size;
    const gradient = (slot: number): Float32Array => {
      const s = this.layout.slots[slot]!;
      const out = this.grads.slice(s.offset, s.offset + s.size);
      for (let w = 1; w < n; w++) {
        const o = w * size + s.offset;
        for (let j = 0; j < s.size; j++) out[j] = out[j]! + this.grads[o + j]!;
      }
      return out;
    };
    return { losses: replies.map((r) => r.loss ?? 0), gradient };
  }

  private blasThreads: number | undefined;

  async close(): Promise<void> {
    for (let i = 0; i < this.workers.length; i++) this.owed[i] = undefined;
    await Promise.all(this.workers.map((w) => w.terminate()));
    if (this.blasThreads !== undefined) setNativeThreads(this.blasThreads);
  }
}
