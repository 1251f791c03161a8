/**
 * Tensor backend selection. One call, {@link initBackend}, picks the fastest backend that loads here:
 * `@tensorflow/tfjs-node` (native libtensorflow) when its binding loads, else `wasm` (with xrec's kernel
 * fixes registered), else the pure-JS `cpu` backend. `XREC_BACKEND=node|wasm|cpu` forces one.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendError } from '@xrec/core';
import { activateNativeKernels, nativeStatus, type NativeStatus } from './native-kernels.js';
import { registerJsKernels } from './kernels/register.js';
import { activateSimdKernels, type SimdStatus } from './simd-kernels.js';
import { registerWasmFixes } from './wasm-fixes.js';

export type BackendChoice = 'node' | 'wasm' | 'cpu';
export const BACKEND_ENV = 'XREC_BACKEND';

export interface BackendReport {
  /** The choice that was made (`node` means tfjs-node's `tensorflow` backend). */
  readonly choice: BackendChoice;
  /** tfjs's name of the active backend: `tensorflow`, `wasm` or `cpu`. */
  readonly tfBackend: string;
  /** Whether the choice was forced by option or environment. */
  readonly forced: boolean;
  /** Why faster backends were not used (one line each). */
  readonly notes: readonly string[];
  readonly tfjsVersion: string;
  /** xrec's native (BLAS) kernels on the wasm backend: active, or why not. */
  readonly native: NativeStatus;
  /** xrec's wasm SIMD matmul (on wasm when the native kernels are off): active, or why not. */
  readonly simd: SimdStatus;
}

let current: BackendReport | undefined;
let pending: Promise<BackendReport> | undefined;

async function tryNode(notes: string[]): Promise<boolean> {
  try {
    // Optional dependency: absent or without its native binding where libtensorflow could not be fetched.
    const mod = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ mod);
    return await tf.setBackend('tensorflow');
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    notes.push(`tfjs-node unavailable: ${msg}`);
    return false;
  }
}

async function tryWasm(notes: string[]): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmFixes();
    await activateNativeKernels();
    return await tf.setBackend('wasm');
  } catch (e) {
    notes.push(`wasm unavailable: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
}

function parseChoice(v: string | undefined, where: string): BackendChoice | undefined {
  if (v === undefined || v === '') return undefined;
  const s = v.toLowerCase();
  if (s === 'node' || s === 'tensorflow') return 'node';
  if (s === 'wasm' || s === 'cpu') return s;
  throw new BackendError(`${where}: unknown backend '${v}' (expected node, wasm or cpu)`);
}

/**
 * Choose and activate the tfjs backend (idempotent: later calls return the first report unless `force`
 * names a different backend).
 */
export async function initBackend(options: { force?: BackendChoice | string } = {}): Promise<BackendReport> {
  const forced = parseChoice(options.force, 'initBackend({force})') ?? parseChoice(process.env[BACKEND_ENV], BACKEND_ENV);
  if (current && (forced === undefined || forced === current.choice)) return current;
  if (pending && forced === undefined) return pending;
  pending = (async () => {
    // Production mode: silences tfjs's console hint about tfjs-node (xrec reports the backend itself).
    tf.enableProdMode();
    const notes: string[] = [];
    const order: BackendChoice[] = forced ? [forced] : ['node', 'wasm', 'cpu'];
    for (const choice of order) {
      const ok = choice === 'node' ? await tryNode(notes) : choice === 'wasm' ? await tryWasm(notes) : await tf.setBackend('cpu');
      if (ok) {
        await tf.ready();
        registerJsKernels(); // xrec's fused JS kernels on wasm and cpu
        const native: NativeStatus = choice === 'wasm' ? nativeStatus() : { active: false, reason: `backend '${tf.getBackend()}' uses its own kernels`, kernels: [] };
        const simd = await activateSimdKernels();
        current = { choice, tfBackend: tf.getBackend(), forced: forced !== undefined, notes, tfjsVersion: tf.version.tfjs, native, simd };
        return current;
      }
    }
    throw new BackendError(`initBackend: backend '${forced}' could not be loaded (${notes.join('; ')})`);
  })();
  try {
    return await pending;
  } finally {
    pending = undefined;
  }
}

/** The report of the active backend, if {@link initBackend} has run. */
export function backendReport(): BackendReport | undefined {
  return current;
}

/** A one-line description for logs and `xrec doctor`. */
export function describeBackend(r: BackendReport): string {
  const native = r.native.active ? `, native kernels on ${r.native.blas} × ${r.native.threads} threads` : r.simd.active ? ', wasm SIMD matmul' : '';
  return `${r.choice} (tfjs backend '${r.tfBackend}', tfjs ${r.tfjsVersion}${r.forced ? ', forced' : ''}${native})`;
}
