/**
 * A task of the benchmark: explanation today; cold-start ranking (PromptRec) and fairness (UP5) next. Each task
 * runs its own methods over its own protocol and writes its own report (metrics table, charts) into `out`;
 * the CLI's `xrec bench run <task>` and the task list in `xrec bench --help` read the registry, so a new task
 * registers itself and touches no other bench or CLI file.
 */
import type { Progress } from '@xrec/core';

export interface BenchTaskContext {
  readonly out: string;
  readonly dataDir?: string;
  /** The task's own options (from `--options FILE` on the CLI), checked by the task. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly progress: Progress;
}

export interface BenchTaskResult {
  readonly reportFiles: readonly string[];
  /** A few headline numbers for the CLI's last line and `--json`. */
  readonly summary: Readonly<Record<string, unknown>>;
}

export interface BenchTask {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /** The metrics its report tables carry. */
  readonly metrics: readonly string[];
  run(ctx: BenchTaskContext): Promise<BenchTaskResult>;
}
