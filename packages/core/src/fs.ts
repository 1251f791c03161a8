/** File helpers shared by every package that writes artifacts: atomic writes, never half-written files. */
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
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
