import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { checkOutputDir, removeStaleTemps, writeDirAtomic } from './fs.js';

describe('output guards', () => {
  const root = mkdtempSync(join(tmpdir(), 'xrec-fs-'));

  it('checkOutputDir rejects a file and a path below a file, up front', () => {
    writeFileSync(join(root, 'f'), 'x');
    expect(() => checkOutputDir(join(root, 'f'))).toThrow(ConfigError);
    expect(() => checkOutputDir(join(root, 'f', 'sub'), '--work')).toThrow(/--work .*f is a file/);
    expect(() => checkOutputDir(join(root, 'new', 'dir'))).not.toThrow();
  });

  it('removes temp folders of killed runs (dead pid), never those of live ones or other files', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
    const target = join(root, 'dataset');
    mkdirSync(join(root, `.dataset.tmp-${dead}-abc`));
    writeFileSync(join(root, `.dataset.tmp-${dead}-abc`, 'part.arrow'), 'half');
    mkdirSync(join(root, `.dataset.tmp-${process.pid}-def`));
    writeFileSync(join(root, 'dataset.tmp-notours'), 'user file');
    expect(removeStaleTemps(target)).toEqual([`.dataset.tmp-${dead}-abc`]);
    expect(existsSync(join(root, `.dataset.tmp-${process.pid}-def`))).toBe(true);
    expect(existsSync(join(root, 'dataset.tmp-notours'))).toBe(true);
    mkdirSync(join(root, `.dataset.tmp-${dead}-ghi`));
    await writeDirAtomic(target, (tmp) => writeFileSync(join(tmp, 'meta.json'), '{}'));
    expect(existsSync(join(root, `.dataset.tmp-${dead}-ghi`))).toBe(false); // cleaned on the next start
    expect(existsSync(join(target, 'meta.json'))).toBe(true);
  });
});
