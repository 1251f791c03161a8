/** Option parsers shared by the commands: each returns the parsed value or throws a ConfigError naming the flag. */
import { ConfigError } from '@xrec/core';
import type { Arch } from '@xrec/transformer';

/** Parse an integer option in [min, max] (default: >= 1); errors name the flag. */
export function cliInt(flag: string, min = 1, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(`${flag}: expected an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}, got '${v}'`);
    }
    return n;
  };
}

/** The largest seed: seeds are 32-bit (a larger one would silently equal a smaller one). */
export const MAX_SEED = 0xffffffff;

/** Parse a `--seed`: an integer in [0, 2³² − 1]. */
export const cliSeed = cliInt('--seed', 0, MAX_SEED);

/** Parse `--workers`: `auto` or an integer >= 0 (data-parallel worker threads besides the main one). */
export function cliWorkers(v: string): number | 'auto' {
  if (v === 'auto') return 'auto';
  return cliInt('--workers', 0)(v);
}

/** Parse a finite number option (>= min); errors name the flag. */
export function cliFloat(flag: string, min = 0): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min) throw new ConfigError(`${flag}: expected a number >= ${min}, got '${v}'`);
    return n;
  };
}

export function cliArch(v: string): Arch {
  if (v !== 'gpt2' && v !== 'llama') throw new ConfigError(`--arch: expected gpt2 or llama, got '${v}'`);
  return v;
}
