/**
 * xrec's native kernels on the wasm backend (optional package `@xrec/native`, an N-API addon over the system
 * BLAS). {@link activateNativeKernels} replaces, on the wasm backend:
 *
 * - `BatchMatMul` (2-D and batched, with `transposeA/B` read in place, broadcasting a batch of one) by BLAS
 *   `sgemm` on views of the wasm heap (no copies); anything else goes to the original kernel;
 * - `Softmax` over the last axis by one C pass per row;
 * - the fused GELU, GELU-gradient and AdamW kernels by the same formulas in C;
 *
 * and tells the ops to pass matMul's transpose flags instead of transposing explicitly (see matmul-flags.ts).
 * Without the addon (not built, `XREC_NATIVE=0`) nothing changes and the status says why.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeKernels } from '@xrec/native';
import { ATTENTION_GRAD_KERNEL, ATTENTION_KERNEL, setAttentionFused } from './kernels/attention.js';
import { OUTPUT_CE_CHUNK, OUTPUT_CE_KERNEL, setOutputCeFused, type OutputCeAttrs } from './kernels/output-ce.js';
import { setTransposeFlags } from './matmul-flags.js';
import { ADAMW_KERNEL, SUM_SQUARES_KERNEL, type AdamWAttrs } from './optim.js';
import { GELU_GRAD_KERNEL, GELU_KERNEL } from './kernels/gelu.js';
import { MASKED_SOFTMAX_GRAD_KERNEL, MASKED_SOFTMAX_KERNEL } from './kernels/masked-softmax.js';
import { NORM_GRAD_KERNEL, NORM_KERNEL } from './kernels/norm.js';
import { setKernelCompute } from './kernels/registry.js';
import { overrideBatchMatMul, type HeapBackend } from './kernels/batch-matmul.js';
import { replaceWasmKernel, restoreWasmKernels } from './kernels/wasm-override.js';

/** What `xrec doctor` shows about the native kernels. */
export interface NativeStatus {
  readonly active: boolean;
  /** Why they are not active. */
  readonly reason?: string;
  /** The BLAS library in use (`libopenblas.so.0`, …, or `builtin`) and its build string. */
  readonly blas?: string;
  readonly blasConfig?: string;
  readonly threads?: number;
  /** tfjs kernels served natively. */
  readonly kernels: readonly string[];
}

let status: NativeStatus = { active: false, reason: 'not initialised (call initBackend)', kernels: [] };
let addon: NativeKernels | undefined;

/** The native kernel status (after {@link activateNativeKernels}). */
export function nativeStatus(): NativeStatus {
  return status;
}

function overrideSoftmax(nk: NativeKernels): void {
  replaceWasmKernel('Softmax', (orig) => (args) => {
    const { logits } = args.inputs as { logits: tf.TensorInfo };
    const { dim } = args.attrs as unknown as { dim: number };
    const r = logits.shape.length;
    if (logits.dtype !== 'float32' || r < 1 || (dim !== -1 && dim !== r - 1)) return orig.kernelFunc(args);
    const cols = logits.shape[r - 1]!;
    const size = logits.shape.reduce((a, c) => a * c, 1);
    if (size === 0 || cols === 0) return orig.kernelFunc(args);
    const be = args.backend as unknown as HeapBackend;
    const out = be.makeOutput([...logits.shape], 'float32');
    nk.softmaxRows(be.typedArrayFromHeap(logits) as Float32Array, be.typedArrayFromHeap(out) as Float32Array, size / cols, cols);
    return out;
  });
}


type Compute = Parameters<typeof setKernelCompute>[1] & {};

/** The JS kernels whose compute the addon replaces, by kernel name. */
function fusedComputes(nk: NativeKernels): Record<string, Compute> {
  return {
    [OUTPUT_CE_KERNEL]: ([h, w, labels, weight], [loss, dh, dw], [hs, ws], attrs) => {
      const a = attrs as unknown as OutputCeAttrs;
      const [n, d] = hs as [number, number];
      const v = a.layout === 'vd' ? ws![0]! : ws![1]!;
      nk.outputCrossEntropy(h as Float32Array, w as Float32Array, a.layout === 'vd' ? 0 : 1, labels as Int32Array, weight as Float32Array, loss!, dh ?? null, dw ?? null, n, d, v, a.chunk || OUTPUT_CE_CHUNK);
    },
    [ATTENTION_KERNEL]: ([q, k, v, mask], [o, p, span], [qs, , , ms]) => {
      const [g, r, hd] = qs as [number, number, number];
      nk.attentionForward(q as Float32Array, k as Float32Array, v as Float32Array, mask as Float32Array, o!, p!, span!, g, r, hd, ms!.length === 3 ? ms![0]! : 1);
    },
    [ATTENTION_GRAD_KERNEL]: ([dy, q, k, v, p, span], [dq, dk, dv], [, qs]) => {
      const [g, r, hd] = qs as [number, number, number];
      nk.attentionBackward(dy as Float32Array, q as Float32Array, k as Float32Array, v as Float32Array, p as Float32Array, span as Float32Array, dq!, dk!, dv!, g, r, hd);
    },
    [GELU_KERNEL]: ([x], [y, th]) => nk.gelu(x as Float32Array, y!, th!),
    [GELU_GRAD_KERNEL]: ([dy, x, th], [dx]) => nk.geluGrad(dy as Float32Array, x as Float32Array, th as Float32Array, dx!),
    [ADAMW_KERNEL]: ([p, g, m, v, scale], [po, mo, vo], _s, attrs) => {
      const a = attrs as unknown as AdamWAttrs;
      nk.adamw(p as Float32Array, g as Float32Array, m as Float32Array, v as Float32Array, po!, mo!, vo!, scale![0]!, a.beta1, a.beta2, a.eps, a.keep, a.stepSize, a.invSqrtBc2);
    },
    [NORM_KERNEL]: ([x, w, b], [y, mu, rs], [shape], attrs) => {
      const [n, d] = shape as [number, number];
      nk.normForward(x as Float32Array, w as Float32Array, (b as Float32Array | undefined) ?? null, y!, mu!, rs!, n, d, attrs.eps as number, attrs.rms === true ? 1 : 0);
    },
    [NORM_GRAD_KERNEL]: ([dy, x, w, mu, rs], [dx, dw, db], [shape], attrs) => {
      const [n, d] = shape as [number, number];
      nk.normBackward(dy as Float32Array, x as Float32Array, w as Float32Array, mu as Float32Array, rs as Float32Array, dx!, dw!, db!, n, d, attrs.rms === true ? 1 : 0);
    },
    [MASKED_SOFTMAX_KERNEL]: ([sc, mask], [p, pT, span], [shape], attrs) => {
      const [r, c] = shape as [number, number];
      nk.maskedSoftmax(sc as Float32Array, mask as Float32Array, ((attrs.block as number | undefined) ?? 0) * r * c, p!, pT!, span!, r, c);
    },
    [MASKED_SOFTMAX_GRAD_KERNEL]: ([p, dp, span], [ds, dsT], [shape]) => {
      const [r, c] = shape as [number, number];
      nk.maskedSoftmaxGrad(p as Float32Array, dp as Float32Array, span as Float32Array, ds!, dsT!, r, c);
    },
    [SUM_SQUARES_KERNEL]: ([x], [out]) => {
      out![0] = nk.sumSquares(x as Float32Array);
    },
  };
}

const FUSED_NAMES = [OUTPUT_CE_KERNEL, ATTENTION_KERNEL, ATTENTION_GRAD_KERNEL, GELU_KERNEL, GELU_GRAD_KERNEL, ADAMW_KERNEL, NORM_KERNEL, NORM_GRAD_KERNEL, MASKED_SOFTMAX_KERNEL, MASKED_SOFTMAX_GRAD_KERNEL, SUM_SQUARES_KERNEL];

function overrideFused(nk: NativeKernels, skip: ReadonlySet<string>): string[] {
  const computes = fusedComputes(nk);
  const on = FUSED_NAMES.filter((name) => !skip.has(name));
  for (const name of on) setKernelCompute(name, computes[name]);
  setOutputCeFused(on.includes(OUTPUT_CE_KERNEL));
  setAttentionFused(on.includes(ATTENTION_KERNEL) && on.includes(ATTENTION_GRAD_KERNEL));
  return on;
}

/** `XREC_NATIVE_SKIP`: comma-separated kernel names left on their JS/wasm implementation (for A/B runs and bisecting). */
function skipped(): Set<string> {
  return new Set((process.env.XREC_NATIVE_SKIP ?? '').split(',').map((x) => x.trim()).filter(Boolean));
}

/**
 * Load `@xrec/native` and register its kernels on the wasm backend (idempotent). `threads` sets the BLAS
 * thread count (default: `XREC_NATIVE_THREADS`, else the BLAS library's default, i.e. the number of cores).
 */
export async function activateNativeKernels(options: { threads?: number } = {}): Promise<NativeStatus> {
  if (status.active) return status;
  if (process.env.XREC_NATIVE === '0') {
    status = { active: false, reason: 'XREC_NATIVE=0', kernels: [] };
    return status;
  }
  let load: { kernels: NativeKernels | undefined; reason: string | undefined };
  try {
    const mod = (await import('@xrec/native')) as typeof import('@xrec/native');
    load = mod.loadNativeKernels();
  } catch (e) {
    load = { kernels: undefined, reason: `@xrec/native is not installed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})` };
  }
  if (!load.kernels) {
    status = { active: false, reason: load.reason ?? 'unknown', kernels: [] };
    return status;
  }
  const nk = load.kernels;
  const envThreads = Number(process.env.XREC_NATIVE_THREADS);
  const threads = options.threads ?? (Number.isInteger(envThreads) && envThreads > 0 ? envThreads : undefined);
  if (threads !== undefined) nk.setThreads(threads);
  addon = nk;
  const skip = skipped();
  const stock = ['BatchMatMul', 'Softmax'].filter((name) => !skip.has(name));
  if (stock.includes('BatchMatMul')) {
    overrideBatchMatMul((tA, tB, batch, m, n, k, a, sA, b, sB, c, sC) => nk.sgemmBatched(tA ? 1 : 0, tB ? 1 : 0, batch, m, n, k, a, sA, b, sB, c, sC, 1, 0));
  }
  if (stock.includes('Softmax')) overrideSoftmax(nk);
  const fused = overrideFused(nk, skip);
  setTransposeFlags(stock.includes('BatchMatMul'));
  const info = nk.info();
  status = {
    active: true,
    blas: info.blas,
    ...(info.blasConfig ? { blasConfig: info.blasConfig } : {}),
    threads: info.threads,
    kernels: [...stock, ...fused],
    ...(info.note ? { reason: info.note } : {}),
  };
  return status;
}

/**
 * Put the stock wasm kernels and the JS loops back and stop passing transpose flags (for A/B comparisons and
 * tests in one process); {@link activateNativeKernels} turns the native kernels on again.
 */
export function deactivateNativeKernels(): void {
  if (!status.active) return;
  restoreWasmKernels();
  for (const name of FUSED_NAMES) setKernelCompute(name, undefined);
  setOutputCeFused(false);
  setAttentionFused(false);
  setTransposeFlags(false);
  status = { active: false, reason: 'deactivated (deactivateNativeKernels)', kernels: [] };
}

/** Set the BLAS thread count of the active native kernels (no effect when they are off). */
export function setNativeThreads(n: number): void {
  addon?.setThreads(n);
  if (status.active) status = { ...status, threads: addon?.info().threads ?? n };
}
