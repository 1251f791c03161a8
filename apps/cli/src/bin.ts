#!/usr/bin/env node
import { main } from './main.js';

// `xrec … | head`: a reader that closes the pipe early ends the output, not in an unhandled EPIPE stack trace
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`xrec: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
