/** The benchmark's tasks by id (see task.ts). */
import { ConfigError, NotFoundError } from '@xrec/core';
import type { BenchTask } from './task.js';

const tasks = new Map<string, BenchTask>();

export function registerBenchTask(t: BenchTask): void {
  if (!/^[a-z][a-z0-9-]*$/.test(t.id)) throw new ConfigError(`registerBenchTask: id '${t.id}' must be lower-case letters, digits and dashes`);
  if (tasks.has(t.id)) throw new ConfigError(`registerBenchTask: a task '${t.id}' is already registered`);
  tasks.set(t.id, t);
}

export function unregisterBenchTask(id: string): void {
  tasks.delete(id);
}

/** Registered tasks in registration order. */
export function benchTasks(): BenchTask[] {
  return [...tasks.values()];
}

export function getBenchTask(id: string): BenchTask {
  const t = tasks.get(id);
  if (!t) throw new NotFoundError(`bench: no task '${id}' (tasks: ${[...tasks.keys()].join(', ')})`);
  return t;
}
