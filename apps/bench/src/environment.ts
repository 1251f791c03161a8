/** What a benchmark result records about where it ran: package versions, backend, machine. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';

export interface BenchEnvironment {
  readonly packages: Record<string, string>;
  readonly backend: string;
  readonly tfjs: string;
  readonly node: string;
  readonly platform: string;
  readonly cpu: string;
  readonly cpus: number;
  readonly memoryGiB: number;
  /** 1-minute load average when the report was written (other work on the machine slows timings). */
  readonly loadAverage1m: number;
}

const PACKAGES = ['@xrec/core', '@xrec/data', '@xrec/tokenizer', '@xrec/metrics', '@xrec/transformer', '@xrec/lora', '@xrec/pepler'];

export function packageVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      out[name] = (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
    } catch {
      out[name] = 'unknown';
    }
  }
  try {
    out['@xrec/bench'] = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    out['@xrec/bench'] = 'unknown';
  }
  return out;
}

export function benchEnvironment(): BenchEnvironment {
  const cpus = os.cpus();
  return {
    packages: packageVersions(),
    backend: tf.getBackend(),
    tfjs: tf.version.tfjs,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}
