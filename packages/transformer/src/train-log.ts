/** The trainer's JSON-lines log (appended; a resumed run drops what a killed run logged after its checkpoint). */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '@xrec/core';

export class JsonlLog {
  constructor(private readonly path: string | undefined) {}
  write(rec: Record<string, unknown>): void {
    if (this.path) appendFileSync(this.path, `${JSON.stringify(rec)}\n`);
  }
  /** Keep only records up to `step` (a resumed run rewrites what the killed run logged after its checkpoint). */
  truncateAfter(step: number): void {
    if (!this.path || !existsSync(this.path)) return;
    const kept = readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((line) => {
        if (line.trim() === '') return false;
        try {
          const r = JSON.parse(line) as { step?: number };
          return typeof r.step !== 'number' || r.step <= step;
        } catch {
          return false;
        }
      });
    writeFileAtomicSync(this.path, kept.length ? `${kept.join('\n')}\n` : '');
  }
}
