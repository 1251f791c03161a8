/**
 * Checkpoints of one bench run (`<run>/checkpoint/`): the method's trainer checkpoints every epoch there, so a
 * run killed mid-way (a session that ends, Ctrl-C) resumes from its last finished epoch on the next
 * invocation instead of starting over. The folder is the bench's own: it records the run's fingerprint (a
 * checkpoint of other settings is discarded, never resumed) and the wall/CPU seconds of earlier segments
 * (counted up to their last finished epoch), and is removed when the run finishes.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@xrec/core';

/** Time spent by earlier, interrupted segments of a run (up to their last finished epoch). */
export interface SegmentTime {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  /** Earlier segments that reached at least one checkpoint. */
  readonly segments: number;
}

const NONE: SegmentTime = { wallSeconds: 0, cpuSeconds: 0, segments: 0 };

export class RunCheckpoint {
  private constructor(
    readonly dir: string,
    /** What earlier segments of this run spent. */
    readonly earlier: SegmentTime,
  ) {}

  /** Open `<runDir>/checkpoint` for a run with `fingerprint`: resumable if it holds the same run, else emptied. */
  static async open(runDir: string, fingerprint: string): Promise<RunCheckpoint> {
    const dir = join(runDir, 'checkpoint');
    const fpFile = join(dir, 'fingerprint.json');
    const same = existsSync(fpFile) && readFileSync(fpFile, 'utf8') === JSON.stringify(fingerprint);
    if (!same) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      await writeFileAtomic(fpFile, JSON.stringify(fingerprint));
      return new RunCheckpoint(dir, NONE);
    }
    const timeFile = join(dir, 'time.json');
    const earlier = existsSync(timeFile) ? (JSON.parse(readFileSync(timeFile, 'utf8')) as SegmentTime) : NONE;
    return new RunCheckpoint(dir, earlier);
  }

  /** The trainer's checkpoint folder of the run's model. */
  get trainerDir(): string {
    return join(this.dir, 'trainer');
  }

  /** Whether a previous segment left trainer checkpoints to resume from. */
  get resumable(): boolean {
    return existsSync(this.trainerDir);
  }

  /** Record this segment's time so far (call after each finished epoch): earlier segments plus `wall`/`cpu`. */
  async record(wallSeconds: number, cpuSeconds: number): Promise<void> {
    const t: SegmentTime = {
      wallSeconds: this.earlier.wallSeconds + wallSeconds,
      cpuSeconds: this.earlier.cpuSeconds + cpuSeconds,
      segments: this.earlier.segments + 1,
    };
    await writeFileAtomic(join(this.dir, 'time.json'), JSON.stringify(t));
  }

  /** Remove the folder (the run finished and its result is written). */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
