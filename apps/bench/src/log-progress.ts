/**
 * A Progress for work nested inside the bench's overall bar: instead of drawing a second bar it logs one
 * line per task at most every `everyMs` (done/total, elapsed, estimated time left) through `parent.log`.
 */
import { lineProgress, type Progress } from '@xrec/core';

export function loggingProgress(parent: Progress, everyMs = 15_000, now: () => number = Date.now): Progress {
  return lineProgress((line) => parent.log(line), { everyMs, now, indent: '  ' });
}
