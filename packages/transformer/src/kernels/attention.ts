/**
 * Masked attention over G groups (batch row × head) as two kernels, `XrecAttention` and `XrecAttentionGrad`:
 * one call each way instead of ~8 kernel calls per group (unstack, matmuls, masked softmax, stack), which is
 * what the per-group path of attention.ts costs on the tape. Same contract as `fusedAttention` there:
 *
 *   forward:  P_b = softmax(q_b k_bᵀ + M_b) (masked entries skipped; a fully masked row is uniform), o_b = P_b v_b
 *   backward: dS_b = P_b ⊙ (dP_b − rowsum(dP_b ⊙ P_b)) with dP_b = do_b v_bᵀ;
 *             dq_b = dS_b k_b, dk_b = dS_bᵀ q_b, dv_b = P_bᵀ do_b.
 *
 * Native only: the native kernel setup installs the C implementation and turns the path on for wasm; the JS
 * compute below is the float64 reference it is tested against on cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { customOp, type OpBody, type SaveFn } from '../custom-op.js';
import { backendSwitch, registerJsKernel, type JsKernel } from './registry.js';

export const ATTENTION_KERNEL = 'XrecAttention';
export const ATTENTION_GRAD_KERNEL = 'XrecAttentionGrad';

/** Masked-out threshold of the additive masks (as the masked softmax kernels). */
const MASK_OFF = -1e8;

/** Forward reference: inputs q, k, v [G, R, hd], mask [M, R, R] or [R, R]; outputs o, p [G, R, R], span [G, R, 2]. */
function forward([q, k, v, mask]: tf.TypedArray[], [o, p, span]: Float32Array[], [qs, , , ms]: number[][]): void {
  const [g, r, hd] = qs as [number, number, number];
  const blocks = ms!.length === 3 ? ms![0]! : 1;
  const per = g / blocks;
  const z = new Float64Array(r);
  o!.fill(0);
  p!.fill(0);
  for (let b = 0; b < g; b++) {
    const mo = Math.floor(b / per) * r * r;
    for (let i = 0; i < r; i++) {
      let lo = 0;
      while (lo < r && mask![mo + i * r + lo]! <= MASK_OFF) lo++;
      const all = lo === r;
      let hi = r;
      if (all) lo = 0;
      else while (mask![mo + i * r + hi - 1]! <= MASK_OFF) hi--;
      span![(b * r + i) * 2] = lo;
      span![(b * r + i) * 2 + 1] = hi;
      let mx = -Infinity;
      for (let j = lo; j < hi; j++) {
        const m = mask![mo + i * r + j]!;
        let s = 0;
        for (let c = 0; c < hd; c++) s += q![(b * r + i) * hd + c]! * k![(b * r + j) * hd + c]!;
        // a fully masked row is uniform (as the masked softmax makes it), not softmax(s + m) in float64
        z[j] = all ? 0 : m <= MASK_OFF ? -Infinity : s + m;
        mx = Math.max(mx, z[j]!);
      }
      let sum = 0;
      for (let j = lo; j < hi; j++) sum += Math.exp(z[j]! - mx);
      for (let j = lo; j < hi; j++) {
        const pij = Math.exp(z[j]! - mx) / sum;
        p![(b * r + i) * r + j] = pij;
        for (let c = 0; c < hd; c++) o![(b * r + i) * hd + c] = o![(b * r + i) * hd + c]! + pij * v![(b * r + j) * hd + c]!;
      }
    }
  }
}

/** Backward reference: inputs dy, q, k, v, p, span; outputs dq, dk, dv. */
function backward([dy, q, k, v, p, span]: tf.TypedArray[], [dq, dk, dv]: Float32Array[], [qs]: number[][]): void {
  const [g, r, hd] = qs as [number, number, number];
  dq!.fill(0);
  dk!.fill(0);
  dv!.fill(0);
  const dp = new Float64Array(r);
  for (let b = 0; b < g; b++) {
    for (let i = 0; i < r; i++) {
      const lo = span![(b * r + i) * 2]!;
      const hi = span![(b * r + i) * 2 + 1]!;
      const row = (b * r + i) * hd;
      let dot = 0;
      for (let j = lo; j < hi; j++) {
        let s = 0;
        for (let c = 0; c < hd; c++) s += dy![row + c]! * v![(b * r + j) * hd + c]!;
        dp[j] = s;
        dot += s * p![(b * r + i) * r + j]!;
      }
      for (let j = lo; j < hi; j++) {
        const pij = p![(b * r + i) * r + j]!;
        const ds = pij * (dp[j]! - dot);
        for (let c = 0; c < hd; c++) {
          const col = (b * r + j) * hd + c;
          dq![row + c] = dq![row + c]! + ds * k![col]!;
          dk![col] = dk![col]! + ds * q![row + c]!;
          dv![col] = dv![col]! + pij * dy![row + c]!;
        }
      }
    }
  }
}

const fwdKernel: JsKernel = {
  name: ATTENTION_KERNEL,
  outShapes: ([q]) => [[...q!], [q![0]!, q![1]!, q![1]!], [q![0]!, q![1]!, 2]],
  compute: forward,
};
const bwdKernel: JsKernel = { name: ATTENTION_GRAD_KERNEL, outShapes: ([, q]) => [[...q!], [...q!], [...q!]], compute: (i, o, s) => backward(i, o, s.slice(1)) };

let registered = false;

/** Register both kernels on wasm and cpu (idempotent). */
export function registerAttentionKernels(): void {
  if (registered) return;
  registered = true;
  registerJsKernel(fwdKernel, ['q', 'k', 'v', 'mask']);
  registerJsKernel(bwdKernel, ['dy', 'q', 'k', 'v', 'p', 'span']);
}

const fused = backendSwitch(registerAttentionKernels);

/** Route the op on `backend` through the fused kernel(s) (the native setup turns it on for wasm; tests for cpu). */
export function setAttentionFused(enabled: boolean, backend = 'wasm'): void {
  fused.set(enabled, backend);
}

/** Whether the op takes the fused path on the active backend. */
export function attentionFused(): boolean {
  return fused.active();
}

/** softmax(q kᵀ + mask) v through the two kernels; shapes as `fusedAttention` (already checked by it). */
export function attentionByKernel(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, mask: tf.Tensor): tf.Tensor3D {
  registerAttentionKernels();
  const op = customOp(((qq: tf.Tensor3D, kk: tf.Tensor3D, vv: tf.Tensor3D, save: SaveFn) => {
    const [o, p, span] = tf.engine().runKernel(ATTENTION_KERNEL, { q: qq, k: kk, v: vv, mask }, {}) as tf.Tensor[];
    save([qq, kk, vv, p!, span!]);
    return {
      value: o!,
      gradFunc: (dy: tf.Tensor, [sq, sk, sv, sp, sspan]: tf.Tensor[]) =>
        tf.engine().runKernel(ATTENTION_GRAD_KERNEL, { dy, q: sq!, k: sk!, v: sv!, p: sp!, span: sspan! }, {}) as tf.Tensor[],
    };
  }) as OpBody);
  return op(q, k, v) as tf.Tensor3D;
}
