/**
 * Line-by-line reading of text files, plain or gzip (detected from the magic bytes 1f 8b, not the file
 * name). A truncated or corrupt gzip stream surfaces as a DataError naming the file.
 */
import { createReadStream, existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { DataError, NotFoundError } from '@xrec/core';

/** True when the file starts with the gzip magic bytes. */
export function isGzipFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const n = readSync(fd, head, 0, 2, 0);
    return n === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Throw NotFoundError unless `path` is an existing regular file. */
export function requireFile(path: string, what: string): void {
  if (!existsSync(path) || !statSync(path).isFile()) throw new NotFoundError(`${what}: file not found: ${path}`);
}

/** One line of a file with its 1-based line number (line terminators removed). */
export interface NumberedLine {
  readonly line: string;
  readonly lineNo: number;
}

/** Longest line accepted by default: 256 MiB (Node cannot hold a string of more than ~512 MiB). */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

/** Fails the stream with a DataError as soon as one line exceeds `limit` bytes (before readline buffers it). */
function lineLimit(limit: number, path: string, what: string): Transform {
  let current = 0;
  let line = 1;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      for (let i = 0; i < chunk.length; i++) {
        if (chunk[i] === 0x0a) {
          current = 0;
          line++;
        } else if (++current > limit) {
          done(new DataError(`${what}: ${path}: line ${line} is longer than ${limit.toLocaleString('en-US')} bytes (the limit for one line; is the file one JSON document per line?)`));
          return;
        }
      }
      done(null, chunk);
    },
  });
}

/**
 * Yield the lines of `path` (UTF-8, gzip transparently; a byte-order mark at the start is dropped). A final
 * empty line after a trailing newline is not yielded. A line longer than `maxLineBytes` is a DataError naming
 * the line. Invalid UTF-8 decodes to U+FFFD: callers that need exact text (ids) check for it.
 */
export async function* readLines(path: string, what = 'readLines', options: { maxLineBytes?: number } = {}): AsyncGenerator<NumberedLine> {
  requireFile(path, what);
  const raw = createReadStream(path);
  let stream: Readable = raw;
  let failure: Error | undefined;
  if (isGzipFile(path)) {
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    stream = raw.pipe(gunzip);
  }
  const limiter = lineLimit(options.maxLineBytes ?? MAX_LINE_BYTES, path, what);
  stream.on('error', (e) => limiter.destroy(e));
  stream = stream.pipe(limiter);
  stream.on('error', (e) => {
    failure = e;
  });
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const text of rl) {
      lineNo += 1;
      yield { line: lineNo === 1 && text.startsWith('\uFEFF') ? text.slice(1) : text, lineNo };
    }
  } catch (e) {
    failure = e as Error;
  } finally {
    rl.close();
    stream.destroy();
  }
  if (failure instanceof DataError) throw failure;
  if (failure) {
    throw new DataError(`${what}: ${path}: cannot read past line ${lineNo}: ${failure.message} (truncated or corrupt gzip?)`, {
      cause: failure,
    });
  }
}
