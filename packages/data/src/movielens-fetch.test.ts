import { describe, it, expect } from 'vitest';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { DataError, datasetForTest, NetworkError } from '@xrec/core';
import { downloadMovieLens100K, importMovieLens100K, MOVIELENS_100K_SHA256, verifyMovieLens100K } from './movielens-fetch.js';
import { loadMovieLens100K } from './movielens.js';
import { tmp } from '../test/helpers.js';

const ml = datasetForTest('movielens-100k');
if (ml.skipReason) console.warn(ml.skipReason);

function zipOf(dir: string): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const name of Object.keys(MOVIELENS_100K_SHA256)) entries[`ml-100k/${name}`] = readFileSync(join(dir, name));
  return zipSync(entries);
}

describe('MovieLens-100K import and download', () => {
  it.skipIf(!ml.path)('import --from a folder verifies every SHA-256 and writes a loadable copy', async () => {
    const dataDir = tmp();
    const r = await importMovieLens100K(ml.path as string, dataDir);
    expect(r.path).toBe(join(dataDir, 'movielens-100k'));
    expect(Object.keys(r.files).sort()).toEqual([...Object.keys(MOVIELENS_100K_SHA256), 'README', 'u.info'].sort());
    expect(readFileSync(join(r.path, 'CHECKSUMS.sha256'), 'utf8')).toContain(`${MOVIELENS_100K_SHA256['u.data']}  u.data`);
    expect(loadMovieLens100K(r.path).ratings.numRows).toBe(100_000);
  });

  it.skipIf(!ml.path)('a tampered file fails the checksum and nothing is written', async () => {
    const src = tmp();
    cpSync(ml.path as string, src, { recursive: true });
    const data = readFileSync(join(src, 'u.data'), 'utf8');
    writeFileSync(join(src, 'u.data'), data.replace(/^196\t242\t3/, '196\t242\t5'));
    const dataDir = tmp();
    const err = await importMovieLens100K(src, dataDir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/u\.data: SHA-256 [0-9a-f]{64} does not match the known 06416e59/);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('download while offline (unreachable URL) is a NetworkError that names the import command', async () => {
    const dataDir = tmp();
    const err = await downloadMovieLens100K({ dataDir, url: 'http://127.0.0.1:59999/ml-100k.zip' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toMatch(/could not download http:\/\/127\.0\.0\.1:59999\/ml-100k\.zip/);
    expect((err as Error).message).toContain('xrec data import movielens-100k --from');
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('an injected fetch that fails or returns HTTP 404 gives the same clear NetworkError', async () => {
    const dataDir = tmp();
    const offline = async () => {
      throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND files.grouplens.org') });
    };
    await expect(downloadMovieLens100K({ dataDir, fetch: offline })).rejects.toThrow(/ENOTFOUND files\.grouplens\.org.*xrec data import movielens-100k/);
    const notFound = async () => ({ ok: false, status: 404, statusText: 'Not Found', arrayBuffer: async () => new ArrayBuffer(0) });
    await expect(downloadMovieLens100K({ dataDir, fetch: notFound })).rejects.toThrow(/HTTP 404 Not Found/);
  });

  it.skipIf(!ml.path)('a download whose bytes do not match the published MD5 is rejected; a matching one is extracted', async () => {
    const zip = zipOf(ml.path as string);
    const fetchZip = async () => ({ ok: true, status: 200, arrayBuffer: async () => zip.slice().buffer });
    const dataDir = tmp();
    // Our re-zipped copy is not GroupLens's zip, so the published MD5 rejects it.
    await expect(downloadMovieLens100K({ dataDir, fetch: fetchZip })).rejects.toThrow(/MD5 [0-9a-f]{32} does not match the published ml-100k\.zip MD5 0e33842e/);
    expect(existsSync(join(dataDir, 'movielens-100k'))).toBe(false);
    const md5 = createHash('md5').update(zip).digest('hex');
    const r = await downloadMovieLens100K({ dataDir, fetch: fetchZip, md5 });
    expect(r.files['u.data']).toBe(MOVIELENS_100K_SHA256['u.data']);
    expect(loadMovieLens100K(r.path).folds[4]?.test.numRows).toBe(20_000);
  });
});

describe('verifyMovieLens100K', () => {
  it('reports a changed and a missing file of an imported folder', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'u.data'), 'changed\n');
    const problems = verifyMovieLens100K(dir);
    expect(problems[0]).toMatch(/^u\.data: SHA-256 [0-9a-f]{12}… differs from the known 06416e597f82…/);
    expect(problems).toContain('u.item missing');
  });
});
