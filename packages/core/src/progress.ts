/**
 * Progress reporting. Long-running library work reports through a {@link Progress}; the CLI renders
 * it as progress bars, tests pass {@link silentProgress}.
 *
 * ```ts
 * const task = progress.start('epoch 1', 500);
 * for (...) task.tick(1, { loss: 3.2 });
 * task.finish();
 * ```
 */

/** Values shown next to a bar (loss, learning rate, ...). */
export type ProgressInfo = Readonly<Record<string, string | number>>;

export interface ProgressTask {
  /** Advance by `n` units (default 1). */
  tick(n?: number, info?: ProgressInfo): void;
  /** Set the absolute number of units done. */
  update(done: number, info?: ProgressInfo): void;
  /** Mark done and release the display. */
  finish(info?: ProgressInfo): void;
}

export interface Progress {
  /** Begin a task of `total` units (0 or undefined when unknown). */
  start(label: string, total?: number): ProgressTask;
  /** A one-line message outside any bar. */
  log(message: string): void;
}

const noopTask: ProgressTask = { tick() {}, update() {}, finish() {} };

/** A progress sink that prints nothing. */
export const silentProgress: Progress = {
  start: () => noopTask,
  log: () => {},
};

/** A recorded progress event, for tests. */
export interface ProgressEvent {
  readonly kind: 'start' | 'tick' | 'update' | 'finish' | 'log';
  readonly label: string;
  readonly value?: number;
  readonly info?: ProgressInfo;
}

/** A progress sink that records every event (tests use it to check that long work reports progress). */
export function recordingProgress(): Progress & { readonly events: ProgressEvent[] } {
  const events: ProgressEvent[] = [];
  return {
    events,
    start(label, total) {
      events.push({ kind: 'start', label, ...(total === undefined ? {} : { value: total }) });
      return {
        tick: (n = 1, info) => events.push({ kind: 'tick', label, value: n, ...(info ? { info } : {}) }),
        update: (done, info) => events.push({ kind: 'update', label, value: done, ...(info ? { info } : {}) }),
        finish: (info) => events.push({ kind: 'finish', label, ...(info ? { info } : {}) }),
      };
    },
    log(message) {
      events.push({ kind: 'log', label: message });
    },
  };
}
