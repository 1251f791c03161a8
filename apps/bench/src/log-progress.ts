/**
 * A Progress for work nested inside the bench's overall bar: instead of drawing a second bar it logs one
 * line per task at most every `everyMs` (done/total, elapsed, estimated time left) through `parent.log`.
 */
import type { Progress, ProgressInfo } from '@xrec/core';

function fmtInfo(info?: ProgressInfo): string {
  if (!info) return '';
  return Object.entries(info)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : v}`)
    .join(' ');
}

export function loggingProgress(parent: Progress, everyMs = 15_000, now: () => number = Date.now): Progress {
  return {
    start(label, total = 0) {
      const t0 = now();
      let last = t0;
      let done = 0;
      const print = (info?: ProgressInfo, final = false): void => {
        const t = now();
        if (!final && t - last < everyMs) return;
        last = t;
        const el = (t - t0) / 1000;
        const eta = !final && total > 0 && done > 0 ? ` eta ${Math.round((el * (total - done)) / done)}s` : '';
        parent.log(`  ${label}: ${done}${total > 0 ? `/${total}` : ''} ${el.toFixed(0)}s${eta} ${fmtInfo(info)}`.trimEnd());
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
    log: (m) => parent.log(m),
  };
}
