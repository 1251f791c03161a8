/**
 * Runs of `xrec bench explain` in parallel child processes. tfjs's wasm backend runs on one core per
 * process, so on a 2-core machine two runs at once nearly halve the wall time. Each child (run-worker.js)
 * loads the dataset, reuses the split's cached tokenizer and base model, runs one job and sends its result.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StateError, type Progress } from '@xrec/core';
import type { BenchProfile } from './profiles.js';
import type { RunJob, RunResult } from './run-explain.js';

export interface WorkerSpec {
  readonly dataset: string;
  readonly dataDir?: string;
  readonly profile: BenchProfile;
  readonly out: string;
  readonly split: number;
}

export type WorkerMessage = { type: 'log'; line: string } | { type: 'result'; result: RunResult };

/** The compiled worker script, or undefined when running from TypeScript sources (tests). */
export function workerScript(): string | undefined {
  const url = new URL('./run-worker.js', import.meta.url);
  if (url.protocol !== 'file:') return undefined;
  const path = fileURLToPath(url);
  return import.meta.url.endsWith('.js') && existsSync(path) ? path : undefined;
}

function runJob(script: string, spec: WorkerSpec, job: RunJob, progress: Progress): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(script, [JSON.stringify({ spec, job })], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    let result: RunResult | undefined;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'log') progress.log(`[${job.method} seed ${job.seed}] ${m.line}`);
      else if (m.type === 'result') result = m.result;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && result) resolvePromise(result);
      else reject(new StateError(`bench: worker for ${job.method} split ${spec.split} seed ${job.seed} exited with code ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

/** Run `jobs` with at most `concurrency` child processes; `done` is called as each finishes. */
export async function runInWorkers(
  jobs: readonly RunJob[],
  concurrency: number,
  spec: WorkerSpec,
  progress: Progress,
  done: (r: RunResult) => void,
): Promise<void> {
  const script = workerScript();
  if (!script) throw new StateError('bench: parallel runs need the built @xrec/bench (dist/run-worker.js); use concurrency 1 from sources');
  const queue = [...jobs];
  const errors: unknown[] = [];
  const lane = async (): Promise<void> => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      try {
        done(await runJob(script, spec, job, progress));
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane));
  if (errors.length > 0) throw errors[0];
}
