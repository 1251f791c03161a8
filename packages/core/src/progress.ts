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

/** Format progress info as `key=value` pairs (non-integers to 4 significant digits). */
export function formatProgressInfo(info?: ProgressInfo): string {
  if (!info) return '';
  return Object.entries(info)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : v}`)
    .join(' ');
}

export interface LineProgressOptions {
  /** Print at most one line per task every `everyMs` milliseconds (the final line always prints). */
  readonly everyMs?: number;
  /** Prefix of every task line. */
  readonly indent?: string;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/**
 * A progress sink that writes plain lines — `label: done/total pct elapsed eta info` — at most every
 * `everyMs` per task: for logs, pipes and nested work where a redrawn bar does not fit.
 */
export function lineProgress(write: (line: string) => void, options: LineProgressOptions = {}): Progress {
  const everyMs = options.everyMs ?? 2000;
  const indent = options.indent ?? '';
  const now = options.now ?? Date.now;
  return {
    start(label, total = 0) {
      const t0 = now();
      let last = Number.NEGATIVE_INFINITY;
      let done = 0;
      const print = (info?: ProgressInfo, final = false): void => {
        const t = now();
        if (!final && t - last < everyMs) return;
        last = t;
        const elapsed = (t - t0) / 1000;
        const pct = total > 0 ? ` ${Math.round((100 * done) / total)}%` : '';
        const eta = !final && total > 0 && done > 0 ? ` eta ${Math.round((elapsed * (total - done)) / done)}s` : '';
        write(`${indent}${label}: ${done}${total > 0 ? `/${total}` : ''}${pct} ${elapsed.toFixed(1)}s${eta} ${formatProgressInfo(info)}`.trimEnd());
      };
      return {
        tick: (n = 1, info) => {
          done += n;
          print(info);
        },
        update: (d, info) => {
          done = d;
          print(info);
        },
        finish: (info) => print(info, true),
      };
    },
    log: write,
  };
}
