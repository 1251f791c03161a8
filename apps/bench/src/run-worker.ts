/** Child-process entry of {@link runInWorkers}: one (method, split, seed) run, result sent to the parent. */
import type { Progress } from '@xrec/core';
import { loadExplanationDataset } from '@xrec/data';
import { initBackend } from '@xrec/transformer';
import { loggingProgress } from './log-progress.js';
import { prepareSplit, runOne } from './run-explain.js';
import type { WorkerJob, WorkerMessage, WorkerSpec } from './worker-pool.js';

/** Send to the parent; resolves once the message is handed to the IPC channel (before exiting). */
function send(m: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(m, undefined, undefined, () => resolve());
  });
}

async function main(): Promise<void> {
  const { spec, job } = JSON.parse(process.argv[2] ?? '{}') as { spec: WorkerSpec; job: WorkerJob };
  await initBackend();
  const ds = await loadExplanationDataset(spec.dataset, spec.dataDir === undefined ? {} : { dataDir: spec.dataDir });
  const sink: Progress = { start: () => ({ tick() {}, update() {}, finish() {} }), log: (line) => void send({ type: 'log', line }) };
  if (job.kind === 'pretrain') {
    await prepareSplit(ds, spec.split, spec.profile, spec.out, true, loggingProgress(sink));
    await send({ type: 'pretrained' });
    return;
  }
  const ctx = await prepareSplit(ds, spec.split, spec.profile, spec.out, false);
  const result = await runOne(ctx, spec.profile, spec.out, job.job, loggingProgress(sink), spec.workers);
  await send({ type: 'result', result });
}

// the parent went away (killed): stop instead of training on as an orphan
process.on('disconnect', () => process.exit(1));

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
