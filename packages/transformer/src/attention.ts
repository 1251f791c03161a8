/**
 * Blocked causal self-attention (Vaswani et al. 2017) for few heads, fused into one differentiable op.
 *
 * Rows r = h·S + s of q, k, v: [B, H·S, hd] hold every head of a batch row, so per batch row b
 *
 *   S_b = q_b k_bᵀ                      [H·S, H·S]   (q pre-scaled by 1/√hd)
 *   P_b = softmax(S_b + M)              (M: 0 on same-head causal / unpadded pairs, -1e9 elsewhere)
 *   o_b = P_b v_b                       [H·S, hd]
 *
 * and backward, with dS_b = P_b ⊙ (dP_b - rowsum(dP_b ⊙ P_b)), dP_b = do_b v_bᵀ:
 *
 *   dq_b = dS_b k_b,   dk_b = dS_bᵀ q_b,   dv_b = P_bᵀ do_b.
 *
 * Every product is a plain 2-D matmul (the fast path on wasm). The masked softmax and its backward are JS
 * kernels that skip masked entries and also write the transposes P_bᵀ and dS_bᵀ, so no [H·S, H·S]
 * transpose is ever run; the op is one tape entry instead of ~20 per batch row.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@xrec/core';
import { transpose2d } from './ops.js';
import { MASKED_SOFTMAX_GRAD_KERNEL, MASKED_SOFTMAX_KERNEL } from './wasm-kernels.js';

type SaveFn = (tensors: tf.Tensor[]) => void;
type GradFn = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
type Body = (q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, save: SaveFn) => { value: tf.Tensor; gradFunc: GradFn };

/**
 * softmax(q kᵀ + mask) v per batch row. q, k, v: [B, R, hd]; mask: additive [R, R] (shared) or [B, R, R].
 * Returns [B, R, hd]. Needs the `XrecMaskedSoftmax` kernels (wasm, cpu): check with `hasFusedKernel`.
 */
export function blockedAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, mask: tf.Tensor): tf.Tensor3D {
  const [B, R, hd] = q.shape;
  const same = (t: tf.Tensor): boolean => t.rank === 3 && t.shape[0] === B && t.shape[1] === R && t.shape[2] === hd;
  const perRow = mask.rank === 3;
  if (!same(k) || !same(v) || !(mask.rank === 2 || (perRow && mask.shape[0] === B)) || mask.shape[mask.rank - 1] !== R || mask.shape[mask.rank - 2] !== R) {
    throw new ShapeError(`blockedAttention: q [${q.shape.join(', ')}], k [${k.shape.join(', ')}], v [${v.shape.join(', ')}], mask [${mask.shape.join(', ')}] do not fit`);
  }
  const op = (tf.customGrad as unknown as (f: Body) => (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.Tensor)((qq, kk, vv, save) => {
    const qs = tf.unstack(qq) as tf.Tensor2D[]; // B x [R, hd]
    const ks = tf.unstack(kk) as tf.Tensor2D[];
    const vs = tf.unstack(vv) as tf.Tensor2D[];
    const ps: tf.Tensor2D[] = [];
    const pts: tf.Tensor2D[] = [];
    const os: tf.Tensor2D[] = [];
    const spans: tf.Tensor2D[] = []; // [R, 2] kept-entry span of each row
    for (let b = 0; b < B; b++) {
      const scores = tf.matMul(qs[b]!, transpose2d(ks[b]!)); // [R, R]
      const [p, pT, span] = tf.engine().runKernel(MASKED_SOFTMAX_KERNEL, { scores, mask }, { block: perRow ? b : 0 }) as tf.Tensor2D[];
      os.push(tf.matMul(p!, vs[b]!)); // [R, hd]
      ps.push(p!);
      pts.push(pT!);
      spans.push(span!);
    }
    save([...qs, ...ks, ...vs, ...ps, ...pts, ...spans]);
    return {
      value: tf.stack(os), // [B, R, hd]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const part = (i: number): tf.Tensor2D[] => saved.slice(i * B, (i + 1) * B) as tf.Tensor2D[];
        const [sq, sk, sv, sp, spT, ssp] = [part(0), part(1), part(2), part(3), part(4), part(5)];
        const dos = tf.unstack(dy) as tf.Tensor2D[];
        const dq: tf.Tensor2D[] = [];
        const dk: tf.Tensor2D[] = [];
        const dv: tf.Tensor2D[] = [];
        for (let b = 0; b < B; b++) {
          const dp = tf.matMul(dos[b]!, transpose2d(sv[b]!)); // [R, R]
          const [ds, dsT] = tf.engine().runKernel(MASKED_SOFTMAX_GRAD_KERNEL, { probs: sp[b]!, dprobs: dp, span: ssp[b]! }, {}) as tf.Tensor2D[];
          dq.push(tf.matMul(ds!, sk[b]!)); // [R, hd]
          dk.push(tf.matMul(dsT!, sq[b]!));
          dv.push(tf.matMul(spT[b]!, dos[b]!));
        }
        return [tf.stack(dq), tf.stack(dk), tf.stack(dv)];
      },
    };
  });
  return op(q, k, v) as tf.Tensor3D;
}
