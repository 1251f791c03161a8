import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunCheckpoint } from './run-checkpoint.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-run-ck-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('RunCheckpoint', () => {
  it('resumes the same run with the time of its earlier segments, discards another run\'s, and is removed at the end', async () => {
    const run = join(dir, 'run');
    const fresh = await RunCheckpoint.open(run, 'fp-1');
    expect(fresh.resumable).toBe(false);
    expect(fresh.earlier).toEqual({ wallSeconds: 0, cpuSeconds: 0, segments: 0 });
    // the trainer checkpointed two epochs, then the process was killed
    mkdirSync(fresh.trainerDir, { recursive: true });
    writeFileSync(join(fresh.trainerDir, 'state.json'), '{}');
    await fresh.record(30, 55);
    await fresh.record(60, 110);

    const again = await RunCheckpoint.open(run, 'fp-1');
    expect(again.resumable).toBe(true);
    expect(again.earlier).toEqual({ wallSeconds: 60, cpuSeconds: 110, segments: 1 });
    await again.record(10, 20);
    const third = await RunCheckpoint.open(run, 'fp-1');
    expect(third.earlier).toEqual({ wallSeconds: 70, cpuSeconds: 130, segments: 2 });

    // other settings: the old checkpoint is not resumed
    const other = await RunCheckpoint.open(run, 'fp-2');
    expect(other.resumable).toBe(false);
    expect(other.earlier.segments).toBe(0);
    expect(readdirSync(other.dir)).toEqual(['fingerprint.json']);

    other.remove();
    expect(existsSync(join(run, 'checkpoint'))).toBe(false);
  });
});
