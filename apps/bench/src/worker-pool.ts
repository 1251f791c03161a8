/**
 * Runs of `xrec bench explain` in parallel child processes. tfjs's wasm backend runs on one core per
 * process, so on a 2-core machine two runs at once nearly halve the wall time. Each child (run-worker.js)
 * loads the dataset, reuses the split's cached tokenizer and base model, runs one job and sends its result.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StateError, type Progress } from '@xrec/core';
import type { BenchProfile } from './profiles.js';
import type { RunJob, RunResult } from './types.js';

export interface WorkerSpec {
  readonly dataset: string;
  readonly dataDir?: string;
  readonly profile: BenchProfile;
  readonly out: string;
  readonly split: number;
  /** Data-parallel worker threads of each PEPLER run (absent: one thread). */
  readonly workers?: number | 'auto';
}

/** A job for a child process: pre-train the split's base model (a), or one run (maybe waiting for (a)). */
export type WorkerJob = { readonly kind: 'pretrain' } | { readonly kind: 'run'; readonly job: RunJob; readonly needsBase: boolean };

export type WorkerMessage = { type: 'log'; line: string } | { type: 'result'; result: RunResult } | { type: 'pretrained' };

function jobName(j: WorkerJob): string {
  return j.kind === 'pretrain' ? 'pre-train' : `${j.job.method} seed ${j.job.seed}`;
}

/** The compiled worker script, or undefined when running from TypeScript sources (tests). */
export function workerScript(): string | undefined {
  const url = new URL('./run-worker.js', import.meta.url);
  if (url.protocol !== 'file:') return undefined;
  const path = fileURLToPath(url);
  return import.meta.url.endsWith('.js') && existsSync(path) ? path : undefined;
}

/** Children alive now; killed when this process is asked to stop (their training loop may not notice). */
const live = new Set<ChildProcess>();

function onSignal(signal: NodeJS.Signals): void {
  for (const c of live) c.kill('SIGTERM');
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  process.kill(process.pid, signal);
}

function runJob(script: string, spec: WorkerSpec, job: WorkerJob, progress: Progress): Promise<RunResult | undefined> {
  return new Promise((resolvePromise, reject) => {
    // one BLAS thread per worker: the workers themselves fill the cores
    const env = { ...process.env, XREC_NATIVE_THREADS: process.env.XREC_NATIVE_THREADS ?? '1' };
    const child = fork(script, [JSON.stringify({ spec, job })], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], env });
    live.add(child);
    let result: RunResult | undefined;
    let finished = false;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'log') progress.log(`[${jobName(job)}] ${m.line}`);
      else if (m.type === 'result') {
        result = m.result;
        finished = true;
      } else finished = true;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      live.delete(child);
      if (code === 0 && finished) resolvePromise(result);
      else reject(new StateError(`bench: worker for ${jobName(job)} (split ${spec.split}) exited with code ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

/**
 * Run `jobs` with at most `concurrency` child processes, in order, except that runs needing base model (a)
 * wait until the pre-training job is done (others — retrieval, stories260K, no pre-training — run meanwhile).
 * `done` is called as each run finishes.
 */
export async function runInWorkers(
  jobs: readonly WorkerJob[],
  concurrency: number,
  spec: WorkerSpec,
  progress: Progress,
  done: (r: RunResult) => void,
  pretrained: () => void = () => {},
): Promise<void> {
  const script = workerScript();
  if (!script) throw new StateError('bench: parallel runs need the built @xrec/bench (dist/run-worker.js); use concurrency 1 from sources');
  if (!process.listeners('SIGINT').includes(onSignal)) process.on('SIGINT', onSignal);
  if (!process.listeners('SIGTERM').includes(onSignal)) process.on('SIGTERM', onSignal);
  const queue = [...jobs];
  let baseReady = !queue.some((j) => j.kind === 'pretrain');
  const errors: unknown[] = [];
  let wake: () => void = () => {};
  let changed = new Promise<void>((r) => (wake = r));
  const notify = (): void => {
    const w = wake;
    changed = new Promise<void>((r) => (wake = r));
    w();
  };
  const next = (): WorkerJob | undefined => {
    const k = queue.findIndex((j) => j.kind === 'pretrain' || !j.needsBase || baseReady);
    return k < 0 ? undefined : queue.splice(k, 1)[0];
  };
  const lane = async (): Promise<void> => {
    while (queue.length > 0 && errors.length === 0) {
      const job = next();
      if (!job) {
        await changed;
        continue;
      }
      try {
        const r = await runJob(script, spec, job, progress);
        if (job.kind === 'pretrain') {
          baseReady = true;
          pretrained();
        }
        if (r) done(r);
      } catch (e) {
        errors.push(e);
      }
      notify();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane));
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  if (errors.length > 0) throw errors[0];
}
