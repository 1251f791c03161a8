/** The invocation log of an output folder (`invocations.jsonl`): one line per `xrec bench explain` call. */
import { existsSync, readFileSync } from 'node:fs';
import { DataError, silentProgress, type Progress } from '@xrec/core';
import type { Invocation } from './types.js';

/**
 * Read invocations.jsonl, tolerating a torn last line (a run killed while writing it): such a line is
 * dropped and reported; any other bad line is a DataError naming the file and line.
 */
export function readInvocations(file: string, progress: Progress = silentProgress): Invocation[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Invocation[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line) as Invocation);
    } catch (e) {
      const last = lines.slice(i + 1).every((l) => l.trim() === '');
      if (last) {
        progress.log(`bench: ${file}: dropped a torn last line (${line.length} characters; an earlier run was interrupted while writing it)`);
        return;
      }
      throw new DataError(`bench: ${file}: line ${i + 1} is not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
  });
  return out;
}
