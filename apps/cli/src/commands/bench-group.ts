/** The `xrec bench` command group and the one way its task commands run a registered bench task. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { resolveDataDir } from '@xrec/core';
import { getBenchTask } from '@xrec/bench';
import { terminalProgress } from '../progress.js';

/** The `bench` command group (created by the first bench command that registers). */
export function benchGroup(program: Command): Command {
  return program.commands.find((c) => c.name() === 'bench') ?? program.command('bench').description('benchmarks');
}

/** Run a registered task into `out` with the global data directory and print its summary (one JSON object with `json`). */
export async function runBenchTask(id: string, out: string, options: Record<string, unknown>, json: boolean | undefined, cmd: Command): Promise<void> {
  const t = getBenchTask(id);
  const dataDir = resolveDataDir(cmd.optsWithGlobals<{ dataDir?: string }>().dataDir).path;
  const r = await t.run({ out: resolve(out), dataDir, options, progress: terminalProgress() });
  if (json) process.stdout.write(`${JSON.stringify({ task: t.id, reportFiles: r.reportFiles, ...r.summary })}\n`);
  else process.stdout.write(`${t.label}: wrote ${r.reportFiles.join(', ')}\n`);
}
