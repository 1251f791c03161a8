import { describe, it, expect } from 'vitest';
import { ConfigError, DataError, XrecError, isXrecError, ERROR_CODES, CheckpointError } from './errors.js';
import { recordingProgress, silentProgress } from './progress.js';
import { resolveDataDir, datasetForTest } from './data-dir.js';
import { writeDirAtomic, writeFileAtomicSync } from './fs.js';
import { mkdtempSync, readdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('errors', () => {
  it('carry a stable code, a name and a cause', () => {
    const cause = new Error('inner');
    const e = new DataError('reviews.json:3: not JSON', { cause });
    expect(e).toBeInstanceOf(XrecError);
    expect(e.code).toBe('XREC_DATA');
    expect(e.name).toBe('DataError');
    expect(e.cause).toBe(cause);
    expect(isXrecError(e, ERROR_CODES.data)).toBe(true);
    expect(isXrecError(new ConfigError('x'), ERROR_CODES.data)).toBe(false);
    expect(isXrecError(new Error('x'))).toBe(false);
    expect(new CheckpointError('x').code).toBe('XREC_CHECKPOINT');
  });
});

describe('progress', () => {
  it('records events and the silent sink accepts all calls', () => {
    const p = recordingProgress();
    const t = p.start('epoch', 3);
    t.tick(1, { loss: 2 });
    t.update(3);
    t.finish();
    p.log('hello');
    expect(p.events.map((e) => e.kind)).toEqual(['start', 'tick', 'update', 'finish', 'log']);
    const s = silentProgress.start('x', 1);
    s.tick();
    s.finish();
  });
});

describe('data directory', () => {
  it('prefers the flag, then XREC_DATA_DIR, then ~/.xrec/data', () => {
    expect(resolveDataDir('/a', { XREC_DATA_DIR: '/b' })).toEqual({ path: '/a', source: 'flag' });
    expect(resolveDataDir(undefined, { XREC_DATA_DIR: '/b' })).toEqual({ path: '/b', source: 'env' });
    expect(resolveDataDir(undefined, {}).source).toBe('default');
  });
  it('explains a skip when a dataset is absent', () => {
    expect(datasetForTest('no-such-dataset-xyz').skipReason).toMatch(/SKIPPED: dataset 'no-such-dataset-xyz' not found/);
  });
});

describe('atomic writes', () => {
  it('replaces a directory only when the whole fill succeeds', async () => {
    const root = mkdtempSync(join(tmpdir(), 'xrec-fs-'));
    const out = join(root, 'out');
    await writeDirAtomic(out, (d) => writeFileAtomicSync(join(d, 'a.txt'), 'one'));
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('one');
    await expect(
      writeDirAtomic(out, (d) => {
        writeFileAtomicSync(join(d, 'a.txt'), 'two');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('one');
    expect(readdirSync(root)).toEqual(['out']);
    expect(existsSync(join(out, 'a.txt'))).toBe(true);
    rmSync(root, { recursive: true, force: true });
  });
});

describe('lineProgress', () => {
  it('throttles lines per task, always prints the final one, and estimates the time left', async () => {
    const { lineProgress } = await import('./progress.js');
    let t = 0;
    const lines: string[] = [];
    const p = lineProgress((l) => lines.push(l), { everyMs: 1000, now: () => t, indent: '  ' });
    const task = p.start('epoch 1', 10);
    task.tick(1, { loss: 2.5 });
    t = 500;
    task.tick(1);
    t = 2000;
    task.tick(3, { loss: 1.23456 });
    task.finish({ loss: 1 });
    p.log('done');
    expect(lines).toEqual([
      '  epoch 1: 1/10 10% 0.0s eta 0s loss=2.500',
      '  epoch 1: 5/10 50% 2.0s eta 2s loss=1.235',
      '  epoch 1: 5/10 50% 2.0s loss=1',
      'done',
    ]);
  });
});
