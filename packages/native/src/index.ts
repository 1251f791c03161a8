/**
 * @xrec/native: xrec's optional native kernels (an N-API addon built at install time, see scripts/build.mjs)
 * that call the system BLAS (OpenBLAS when present) on Float32Arrays in place. Only the transformer's backend
 * setup imports this package; it registers tfjs kernels from {@link loadNativeKernels}.
 *
 * Loading never throws: when the addon is missing, was not built, or `XREC_NATIVE=0`, the result says why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's functions. Arrays are used in place; each function checks lengths and throws on bad input. */
export interface NativeKernels {
  /**
   * `C_b = alpha · op(A_b) · op(B_b) + beta · C_b` for b < batch, row-major, each operand packed
   * (op(A) is [m, k], op(B) is [k, n], C is [m, n]); a stride of 0 broadcasts an operand over the batch.
   */
  sgemmBatched(
    transA: 0 | 1,
    transB: 0 | 1,
    batch: number,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    strideA: number,
    b: Float32Array,
    strideB: number,
    c: Float32Array,
    strideC: number,
    alpha: number,
    beta: number,
  ): void;
  /** tanh-GELU: `t = tanh(√(2/π)(x + 0.044715 x³))`, `y = x (1 + t) / 2`. */
  gelu(x: Float32Array, y: Float32Array, t: Float32Array): void;
  /** `dx = dy · (½(1 + t) + ½ x (1 − t²) √(2/π) (1 + 3·0.044715 x²))`. */
  geluGrad(dy: Float32Array, x: Float32Array, t: Float32Array, dx: Float32Array): void;
  /** Row softmax of `z` [rows, cols] into `p`. */
  softmaxRows(z: Float32Array, p: Float32Array, rows: number, cols: number): void;
  /** One AdamW step (see the transformer's optim.ts for the formulas); the gradient is scaled by `scale`. */
  adamw(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    pOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
    scale: number,
    beta1: number,
    beta2: number,
    eps: number,
    keep: number,
    stepSize: number,
    invSqrtBc2: number,
  ): void;
  /** LayerNorm (rms = 0) / RMSNorm (rms = 1) over the last axis of x [n, d]: y, and per row μ and 1/σ. */
  normForward(x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array, mu: Float32Array, rs: Float32Array, n: number, d: number, eps: number, rms: 0 | 1): void;
  /** Its backward: dx [n, d], dw [d], db [d] from dy, x, w and the forward's μ and 1/σ. */
  normBackward(dy: Float32Array, x: Float32Array, w: Float32Array, mu: Float32Array, rs: Float32Array, dx: Float32Array, dw: Float32Array, db: Float32Array, n: number, d: number, rms: 0 | 1): void;
  /** Softmax of scores + mask (rows of [r, c]; mask read from `maskOffset`) with masked entries skipped: p, pᵀ and each row's kept span. */
  maskedSoftmax(scores: Float32Array, mask: Float32Array, maskOffset: number, p: Float32Array, pT: Float32Array, span: Float32Array, r: number, c: number): void;
  /** Its backward: ds = p ⊙ (dp − rowsum(dp ⊙ p)) and dsᵀ, visiting only the spans. */
  maskedSoftmaxGrad(p: Float32Array, dp: Float32Array, span: Float32Array, ds: Float32Array, dsT: Float32Array, r: number, c: number): void;
  /**
   * The output layer and its cross-entropy in one call, `chunk` rows at a time (the [n, v] logits never exist
   * whole): `loss[i] = logsumexp(z_i) − z_i[labels[i]]` for `z = h W_vdᵀ` (0 where `weight[i] = 0`), and, when
   * given, `dh = G W_vd` and `dw = Gᵀ h` (in w's layout) for `G = diag(weight)(softmax(z) − onehot(labels))` —
   * the gradients of `Σ weight[i] loss[i]`. `w` is [v, d] (`layout` 0, a tied embedding) or [d, v] (1).
   */
  outputCrossEntropy(
    h: Float32Array,
    w: Float32Array,
    layout: 0 | 1,
    labels: Int32Array,
    weight: Float32Array,
    loss: Float32Array,
    dh: Float32Array | null,
    dw: Float32Array | null,
    n: number,
    d: number,
    v: number,
    chunk: number,
  ): void;
  /**
   * Masked attention of g groups (batch row × head): per group `P = softmax(q kᵀ + mask)` (masked entries
   * skipped), `o = P v`; q, k, v, o are [g, r, hd] (q pre-scaled), mask [maskBlocks, r, r] with group b using
   * block `⌊b / (g / maskBlocks)⌋`; P [g, r, r] and each row's kept span [g, r, 2] are kept for the backward.
   */
  attentionForward(q: Float32Array, k: Float32Array, v: Float32Array, mask: Float32Array, o: Float32Array, p: Float32Array, span: Float32Array, g: number, r: number, hd: number, maskBlocks: number): void;
  /** Its backward: dq = dS k, dk = dSᵀ q, dv = Pᵀ dy with dS = P ⊙ (dy vᵀ − rowsum(dy vᵀ ⊙ P)). */
  attentionBackward(dy: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, p: Float32Array, span: Float32Array, dq: Float32Array, dk: Float32Array, dv: Float32Array, g: number, r: number, hd: number): void;
  /** Σ x² accumulated in double. */
  sumSquares(x: Float32Array): number;
  /** BLAS threads (OpenBLAS's own pool); no effect on the builtin GEMM. */
  setThreads(n: number): void;
  info(): { blas: string; blasConfig: string; threads: number; note: string };
}

/** What {@link loadNativeKernels} found. */
export interface NativeLoad {
  readonly kernels: NativeKernels | undefined;
  /** Why the kernels are not available (undefined when they are). */
  readonly reason: string | undefined;
  /** Path of the addon file that was (or would have been) loaded. */
  readonly path: string;
}

/** Environment switch: `XREC_NATIVE=0` turns the native kernels off. */
export const NATIVE_ENV = 'XREC_NATIVE';

const addonPath = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'xrec_native.node');
let cached: NativeLoad | undefined;

function buildReason(): string {
  const status = join(dirname(addonPath), 'status.json');
  if (!existsSync(status)) return `the addon was not built (${addonPath} missing; run \`node scripts/build.mjs\` in @xrec/native)`;
  try {
    const s = JSON.parse(readFileSync(status, 'utf8')) as { ok?: boolean; reason?: string };
    return s.ok === false && s.reason ? `the addon was not built: ${s.reason}` : `${addonPath} missing`;
  } catch {
    return `${addonPath} missing and ${status} unreadable`;
  }
}

/** Load the addon once (later calls return the same result unless `reload`, which re-reads the environment). */
export function loadNativeKernels(options: { reload?: boolean } = {}): NativeLoad {
  if (cached && !options.reload) return cached;
  if (process.env[NATIVE_ENV] === '0') {
    cached = { kernels: undefined, reason: `${NATIVE_ENV}=0`, path: addonPath };
    return cached;
  }
  if (!existsSync(addonPath)) {
    cached = { kernels: undefined, reason: buildReason(), path: addonPath };
    return cached;
  }
  try {
    const kernels = createRequire(import.meta.url)(addonPath) as NativeKernels;
    cached = { kernels, reason: undefined, path: addonPath };
  } catch (e) {
    cached = { kernels: undefined, reason: `loading ${addonPath} failed: ${e instanceof Error ? e.message : String(e)}`, path: addonPath };
  }
  return cached;
}
