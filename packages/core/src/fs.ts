/** File helpers shared by every package that writes artifacts: atomic writes, never half-written files. */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join, resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { hashString } from './rng.js';

let counter = 0;
function tempPathFor(path: string): string {
  counter += 1;
  const tag = (hashString(`${process.pid}:${Date.now()}:${counter}`) >>> 0).toString(36);
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${tag}`);
}

/** Write `data` to `path` via a temp file in the same directory and a rename: readers never see a partial file. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    if (existsSync(tmp)) rmSync(tmp, { force: true });
    throw e;
  }
}

/** Async variant of {@link writeFileAtomicSync}. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Build a whole directory atomically: `fill` writes into a fresh temp directory beside `dir`; only when it
 * resolves is `dir` replaced by it. When `fill` throws, nothing at `dir` changes.
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void> | void): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  removeStaleTemps(dir);
  const tmp = tempPathFor(dir);
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = existsSync(dir) ? tempPathFor(`${dir}.old`) : undefined;
  if (old) await rename(dir, old);
  try {
    await rename(tmp, dir);
  } catch (e) {
    if (old) await rename(old, dir);
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  if (old) await rm(old, { recursive: true, force: true });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove temp files and directories that killed runs left beside `path` (`.<name>.tmp-<pid>-<tag>`, also of
 * `<name>.old`), when their process is gone. Returns the removed names. Only xrec's own temp names are touched.
 */
export function removeStaleTemps(path: string): string[] {
  const dir = dirname(path);
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  const names = [basename(path), `${basename(path)}.old`];
  for (const entry of readdirSync(dir)) {
    for (const name of names) {
      const prefix = `.${name}.tmp-`;
      if (!entry.startsWith(prefix)) continue;
      const pid = Number(entry.slice(prefix.length).split('-')[0]);
      if (!Number.isInteger(pid) || pid === process.pid || pidAlive(pid)) continue;
      rmSync(join(dir, entry), { recursive: true, force: true });
      removed.push(entry);
    }
  }
  return removed;
}

/**
 * Check, before any work, that `dir` can be an output folder: not an existing file and not below one (so a
 * long run does not fail at its first write with a raw ENOTDIR/EEXIST). Throws a ConfigError naming `flag`.
 */
export function checkOutputDir(dir: string, flag = '--out'): void {
  const abs = resolve(dir);
  if (existsSync(abs) && !statSync(abs).isDirectory()) throw new ConfigError(`${flag} ${dir}: is an existing file; give a folder`);
  for (let p = dirname(abs); dirname(p) !== p; p = dirname(p)) {
    if (existsSync(p) && !statSync(p).isDirectory()) throw new ConfigError(`${flag} ${dir}: ${p} is a file, so the folder cannot be created below it`);
  }
}
