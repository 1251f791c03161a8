/**
 * Getting MovieLens-100K into the data directory. GroupLens terms forbid redistribution, so xrec ships no
 * copy: `importMovieLens100K` copies a folder the user already has after checking every file's SHA-256
 * (or an `ml-100k.zip` after checking GroupLens's published MD5), and `downloadMovieLens100K` fetches the
 * zip from GroupLens and checks the same MD5. The result is written atomically to `<dataDir>/movielens-100k/`
 * with a `CHECKSUMS.sha256` manifest.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { DataError, NetworkError, NotFoundError, writeDirAtomic } from '@xrec/core';

/** Official download location. */
export const MOVIELENS_100K_URL = 'https://files.grouplens.org/datasets/movielens/ml-100k.zip';
/** MD5 of ml-100k.zip as published by GroupLens (ml-100k.zip.md5). */
export const MOVIELENS_100K_ZIP_MD5 = '0e33842e24a9c977be4e0107933c0723';
/** Folder name inside the data directory. */
export const MOVIELENS_100K_NAME = 'movielens-100k';

/**
 * SHA-256 of the files of ml-100k (as in shared/data/movielens-100k/PROVENANCE.md). Files the loader
 * needs are required; README and u.info are copied and checked when present.
 */
export const MOVIELENS_100K_SHA256: Readonly<Record<string, string>> = {
  'u.data': '06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490',
  'u.genre': '9757e0d3e6b298159a80dd48eaf938114690e911e39af97a76949ef1663610bb',
  'u.item': '553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701',
  'u.occupation': 'cd5fbec9afe345d993a62fc7817df1a4a9079c4feb267b3118763b8fd942137d',
  'u.user': 'f120e114da2e8cf314fd28f99417c94ae9ddf1cb6db8ce0e4b5995d40e90e62c',
  'u1.base': 'ce253ec86c448b44fb3ba9a30d12dcfc2e9210cbde71efada3730c22e9ac212a',
  'u1.test': '18c6014a4b2c7324f250a63f8904a7b16b2b19f911129e346141507b0cbac950',
  'u2.base': '6c06f0b5df4b256da1a994f3ac66edc8da4d3f09bc9282df6b14d893366d703e',
  'u2.test': '4de658d1e04ed9104629509a2e2528fce833ac8e048280183f1df167632038c3',
  'u3.base': 'afdc155c291c6edc41c0407e39d7462eb98d341e064f0b0a12175b80b3c4af5d',
  'u3.test': '0f548b51c78327de4c156461d3e430b7e5579fe2b5681586a59416e48fd35f6d',
  'u4.base': '219f0f4d40dfe9c5141d425f53fa91ee23ed275f14e280bbf1b50117afb064ca',
  'u4.test': '7c02ad0a1e7ab1083c8b9d4b627203a051dd7b5eab46d99fa44de33470de8db9',
  'u5.base': 'a9574e59ce961eec2121627760b6e9b0974ce1637b3fe69ac32cb14a4bfab485',
  'u5.test': '351cc52e0d15b6c721466276fc24671d40936899e3d01fadeaf312915b8c5634',
};
const OPTIONAL_SHA256: Readonly<Record<string, string>> = {
  README: '4883b8cf340ed0059971b33f56ad3adc88a40792108ebca3d24aafc4c82e8b52',
  'u.info': '5b0a40b2e47a729ee6203063f6dcf8790c2e63f5a18663e6ee318a72c5f3c27b',
};

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

export interface ImportResult {
  /** Folder written, `<dataDir>/movielens-100k`. */
  readonly path: string;
  /** Files written with their SHA-256. */
  readonly files: Readonly<Record<string, string>>;
}

async function writeDataset(dataDir: string, files: ReadonlyMap<string, Uint8Array>): Promise<ImportResult> {
  const path = join(dataDir, MOVIELENS_100K_NAME);
  const sums: Record<string, string> = {};
  for (const [name, bytes] of files) sums[name] = sha256Hex(bytes);
  await writeDirAtomic(path, async (tmp) => {
    for (const [name, bytes] of files) await writeFile(join(tmp, name), bytes);
    const manifest = Object.entries(sums).map(([n, h]) => `${h}  ${n}`).join('\n');
    await writeFile(join(tmp, 'CHECKSUMS.sha256'), `${manifest}\n`);
  });
  return { path, files: sums };
}

/** Files of an ml-100k.zip (entries under `ml-100k/`), after checking the zip's MD5. */
export function extractMovieLens100KZip(zip: Uint8Array, source: string, expectedMd5 = MOVIELENS_100K_ZIP_MD5): Map<string, Uint8Array> {
  const got = md5Hex(zip);
  if (got !== expectedMd5) {
    throw new DataError(`${source}: MD5 ${got} does not match the published ml-100k.zip MD5 ${expectedMd5} (corrupt or different download)`);
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (e) {
    throw new DataError(`${source}: not a readable zip: ${(e as Error).message}`, { cause: e });
  }
  const files = new Map<string, Uint8Array>();
  for (const [name, bytes] of Object.entries(entries)) {
    const m = /^(?:ml-100k\/)?([^/]+)$/.exec(name);
    if (m && bytes.length > 0) files.set(m[1] as string, bytes);
  }
  for (const name of Object.keys(MOVIELENS_100K_SHA256)) {
    if (!files.has(name)) throw new DataError(`${source}: zip has no ml-100k/${name}`);
  }
  return files;
}

/**
 * Copy MovieLens-100K from `from` (an extracted folder, a folder holding `ml-100k/`, or `ml-100k.zip`)
 * into `<dataDir>/movielens-100k` after verifying checksums. Nothing is written when a check fails.
 */
export async function importMovieLens100K(from: string, dataDir: string): Promise<ImportResult> {
  if (!existsSync(from)) throw new NotFoundError(`importMovieLens100K: ${from} does not exist`);
  if (statSync(from).isFile()) return writeDataset(dataDir, extractMovieLens100KZip(readFileSync(from), from));
  let dir = from;
  if (!existsSync(join(dir, 'u.data')) && existsSync(join(dir, 'ml-100k', 'u.data'))) dir = join(dir, 'ml-100k');
  const files = new Map<string, Uint8Array>();
  const check = (name: string, expected: string, required: boolean): void => {
    const p = join(dir, name);
    if (!existsSync(p)) {
      if (required) throw new NotFoundError(`importMovieLens100K: ${p} is missing (an ml-100k folder has ${Object.keys(MOVIELENS_100K_SHA256).join(', ')})`);
      return;
    }
    const bytes = readFileSync(p);
    const got = sha256Hex(bytes);
    if (got !== expected) throw new DataError(`importMovieLens100K: ${p}: SHA-256 ${got} does not match the known ${expected}`);
    files.set(name, bytes);
  };
  for (const [name, h] of Object.entries(MOVIELENS_100K_SHA256)) check(name, h, true);
  for (const [name, h] of Object.entries(OPTIONAL_SHA256)) check(name, h, false);
  return writeDataset(dataDir, files);
}

/** The subset of `fetch` the downloader uses (injectable for tests). */
export type FetchLike = (url: string) => Promise<{ ok: boolean; status: number; statusText?: string; arrayBuffer(): Promise<ArrayBuffer> }>;

export interface DownloadOptions {
  readonly dataDir: string;
  readonly url?: string;
  readonly fetch?: FetchLike;
  /** Expected MD5 of the zip (default: GroupLens's published value). */
  readonly md5?: string;
}

/** Download ml-100k.zip from GroupLens, verify it, extract into the data directory. */
export async function downloadMovieLens100K(opts: DownloadOptions): Promise<ImportResult> {
  const url = opts.url ?? MOVIELENS_100K_URL;
  const doFetch: FetchLike = opts.fetch ?? ((u) => fetch(u));
  const hint = `If this machine is offline, get ml-100k.zip (or the extracted ml-100k folder) another way and run: xrec data import movielens-100k --from <ml-100k folder or zip>`;
  let bytes: Uint8Array;
  try {
    const res = await doFetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    const reason = (e as Error & { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
    throw new NetworkError(`downloadMovieLens100K: could not download ${url}: ${reason}. ${hint}`, { cause: e });
  }
  let files: Map<string, Uint8Array>;
  try {
    files = extractMovieLens100KZip(bytes, url, opts.md5);
  } catch (e) {
    throw new NetworkError(`downloadMovieLens100K: ${(e as Error).message}. ${hint}`, { cause: e });
  }
  return writeDataset(opts.dataDir, files);
}

/**
 * Re-check an imported ml-100k folder against the known SHA-256 of each file (what `xrec doctor` shows):
 * the problems found, empty when every required file is present and unchanged.
 */
export function verifyMovieLens100K(dir: string): string[] {
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(MOVIELENS_100K_SHA256)) {
    const p = join(dir, name);
    if (!existsSync(p)) {
      problems.push(`${name} missing`);
      continue;
    }
    const got = sha256Hex(readFileSync(p));
    if (got !== expected) problems.push(`${name}: SHA-256 ${got.slice(0, 12)}… differs from the known ${expected.slice(0, 12)}…`);
  }
  return problems;
}
