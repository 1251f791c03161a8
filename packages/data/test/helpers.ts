/** Shared test helpers: temp dirs, the bundled review file, gz writers. */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PKG = join(import.meta.dirname, '..');
export const BUNDLED_REVIEWS = join(PKG, 'datasets', 'amazon-mi', 'reviews_Musical_Instruments_5.json.gz');
export const FIXTURES = join(PKG, 'test', 'fixtures');

export function tmp(prefix = 'xrec-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Every file under `dir` (relative path → bytes), for byte-identity checks. */
export function snapshotDir(dir: string, base = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(join(dir, base)).sort()) {
    const rel = base ? join(base, name) : name;
    const full = join(dir, rel);
    if (statSync(full).isDirectory()) for (const [k, v] of snapshotDir(dir, rel)) out.set(k, v);
    else out.set(rel, readFileSync(full));
  }
  return out;
}
