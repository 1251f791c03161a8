/**
 * `xrec bench run <task>`: any registered benchmark task (see @xrec/bench's tasks/) with its options from a JSON
 * file, and the task list in `xrec bench --help`. Tasks with many flags also have their own command
 * (`xrec bench explain`); this one needs no CLI change when a task is added.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { ConfigError } from '@xrec/core';
import { benchTasks } from '@xrec/bench';
import { benchGroup, runBenchTask } from './bench-group.js';

function readOptions(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`--options ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConfigError(`--options ${file}: expected a JSON object of the task's options`);
  return v as Record<string, unknown>;
}

export function registerBenchRun(program: Command): void {
  const bench = benchGroup(program);
  bench.addHelpText('after', () => `\nTasks (xrec bench run <task>):\n${benchTasks().map((t) => `  ${t.id.padEnd(12)} ${t.label}: ${t.description}`).join('\n')}`);
  bench
    .command('run')
    .description('run a registered benchmark task (see the task list in `xrec bench --help`) with options from a JSON file')
    .argument('<task>', 'task id')
    .requiredOption('--out <dir>', 'output directory of the task (its report and runs)')
    .option('--options <file>', "JSON object of the task's options (e.g. explain: dataset, profile, methods, seeds, concurrency)")
    .option('--json', 'print the summary as one JSON object')
    .action((task: string, o: { out: string; options?: string; json?: boolean }, cmd: Command) => runBenchTask(task, o.out, readOptions(o.options), o.json, cmd));
}
