#!/usr/bin/env node
import { main } from './main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`xrec: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
