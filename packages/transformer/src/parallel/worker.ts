/**
 * A data-parallel replica in a worker thread (started by pool.ts). It builds the method's replica from its
 * {@link ReplicaSpec}, then for each step message: loads the published weights when their version changed,
 * computes the gradient of its shard, writes `weight · gradient` into its slot of the shared gradient buffer
 * and answers with the shard's loss. It never updates weights itself: the trainer does, once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.js';
import { setNativeThreads } from '../native-kernels.js';
import type { ReplicaFactory, ReplicaSpec, StepContext, TrainBatch } from '../train-types.js';
import { checkLayout, weightsChecksum, type FlatLayout } from './layout.js';

interface Init {
  readonly spec: ReplicaSpec;
  readonly rank: number;
  readonly layout: FlatLayout;
  readonly weights: SharedArrayBuffer;
  readonly grads: SharedArrayBuffer;
  readonly backend?: string;
}

export type StepMessage =
  /** The gradient of update rule `rule` over the variables at layout `slots`, weighted. */
  | { readonly type: 'step'; readonly batch: TrainBatch; readonly ctx: StepContext; readonly weight: number; readonly version: number; readonly rule: string; readonly slots: readonly number[] }
  /** Load the published weights and answer with the checksum of the replica's own variables. */
  | { readonly type: 'checksum'; readonly version: number };

const init = workerData as Init;
const port = parentPort!;
const fail = (e: unknown) => port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });

try {
  await initBackend(init.backend ? { force: init.backend } : {});
  setNativeThreads(1);
  const mod = (await import(init.spec.module)) as Record<string, unknown>;
  const factory = mod[init.spec.exportName] as ReplicaFactory<TrainBatch> | undefined;
  if (typeof factory !== 'function') throw new Error(`${init.spec.module} does not export a function '${init.spec.exportName}'`);
  const replica = await factory(init.spec.args as never);
  const vars = checkLayout(init.layout, replica.variables, `replica ${init.rank}`);
  const weights = new Float32Array(init.weights);
  const grads = new Float32Array(init.grads, (init.rank - 1) * init.layout.size * 4, init.layout.size);
  let version = -1;
  port.on('message', (m: StepMessage) => {
    try {
      if (m.version !== version) {
        tf.tidy(() => {
          init.layout.slots.forEach((s, i) => vars[i]!.assign(tf.tensor(weights.subarray(s.offset, s.offset + s.size), s.shape as number[], 'float32')));
        });
        version = m.version;
      }
      if (m.type === 'checksum') {
        port.postMessage({ type: 'done', checksum: weightsChecksum(vars) });
        return;
      }
      const loss = tf.tidy(() => {
        const { value, grads: g } = tf.variableGrads(() => replica.lossFn(m.batch, true, m.ctx, m.rule), m.slots.map((i) => vars[i]!));
        for (const i of m.slots) {
          const s = init.layout.slots[i]!;
          const gi = g[vars[i]!.name];
          if (gi) grads.set(tf.mul(gi, m.weight).dataSync() as Float32Array, s.offset);
          else grads.fill(0, s.offset, s.offset + s.size);
        }
        return value.dataSync()[0]!;
      });
      port.postMessage({ type: 'done', loss });
    } catch (e) {
      fail(e);
    }
  });
  port.postMessage({ type: 'ready' });
} catch (e) {
  fail(e);
}
