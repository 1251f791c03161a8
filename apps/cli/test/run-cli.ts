/** Test helper: run the xrec CLI in-process, capturing stdout and stderr. */
import { vi } from 'vitest';
import { main } from '../src/main.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function runCli(args: readonly string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await main(['node', 'xrec', ...args]), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
