/**
 * Masked self-attention (Vaswani et al. 2017) fused into one differentiable op over G independent groups —
 * one per (batch row, head) — with q, k, v: [G, R, hd] (R = sequence length). Per group b:
 *
 *   S_b = q_b k_bᵀ                      [R, R]   (q pre-scaled by 1/√hd)
 *   P_b = softmax(S_b + M_b)            (M: 0 on causal / unpadded pairs, -1e9 elsewhere)
 *   o_b = P_b v_b                       [R, hd]
 *
 * and backward, with dS_b = P_b ⊙ (dP_b - rowsum(dP_b ⊙ P_b)), dP_b = do_b v_bᵀ:
 *
 *   dq_b = dS_b k_b,   dk_b = dS_bᵀ q_b,   dv_b = P_bᵀ do_b.
 *
 * Every product is a plain 2-D matmul per group (the fast path on wasm: batched 3-D matmuls run ~10x slower,
 * and putting all heads of a batch row in one [H·S, H·S] product wastes H-fold work). The masked softmax and its
 * backward are JS kernels that skip masked entries and also write the transposes P_bᵀ and dS_bᵀ, so no
 * transpose of a score matrix is ever run; the op is one tape entry.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@xrec/core';
import { attentionByKernel, attentionFused } from './kernels/attention.js';
import { MASKED_SOFTMAX_GRAD_KERNEL, MASKED_SOFTMAX_KERNEL } from './kernels/masked-softmax.js';
import { TRANSPOSE_2D_KERNEL } from './kernels/transpose.js';

/** [G, r, c] -> [G, c, r] in one JS kernel call. */
function transposeSlabs(x: tf.Tensor3D): tf.Tensor3D {
  return tf.engine().runKernel(TRANSPOSE_2D_KERNEL, { x }, {}) as tf.Tensor3D;
}

type SaveFn = (tensors: tf.Tensor[]) => void;
type GradFn = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
type Body = (q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, save: SaveFn) => { value: tf.Tensor; gradFunc: GradFn };

/**
 * softmax(q kᵀ + mask) v per group. q, k, v: [G, R, hd]; mask: additive [R, R] (shared) or [M, R, R] with M
 * dividing G (group g uses mask ⌊g / (G/M)⌋, e.g. M = batch rows for groups ordered (batch, head)).
 * Returns [G, R, hd]. Needs the `XrecMaskedSoftmax` kernels (wasm, cpu): check with `hasFusedKernel`.
 */
export function fusedAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, mask: tf.Tensor): tf.Tensor3D {
  const [B, R, hd] = q.shape;
  const same = (t: tf.Tensor): boolean => t.rank === 3 && t.shape[0] === B && t.shape[1] === R && t.shape[2] === hd;
  const perRow = mask.rank === 3;
  const per = perRow ? B / mask.shape[0] : B; // groups per mask
  if (!same(k) || !same(v) || !(mask.rank === 2 || (perRow && Number.isInteger(per))) || mask.shape[mask.rank - 1] !== R || mask.shape[mask.rank - 2] !== R) {
    throw new ShapeError(`fusedAttention: q [${q.shape.join(', ')}], k [${k.shape.join(', ')}], v [${v.shape.join(', ')}], mask [${mask.shape.join(', ')}] do not fit`);
  }
  if (attentionFused()) return attentionByKernel(q, k, v, mask);
  const op = (tf.customGrad as unknown as (f: Body) => (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.Tensor)((qq, kk, vv, save) => {
    const qs = tf.unstack(qq) as tf.Tensor2D[]; // B x [R, hd]
    const ks = tf.unstack(kk) as tf.Tensor2D[];
    const vs = tf.unstack(vv) as tf.Tensor2D[];
    const kTs = tf.unstack(transposeSlabs(kk)) as tf.Tensor2D[]; // B x [hd, R]
    const ps: tf.Tensor2D[] = [];
    const pts: tf.Tensor2D[] = [];
    const os: tf.Tensor2D[] = [];
    const spans: tf.Tensor2D[] = []; // [R, 2] kept-entry span of each row
    for (let b = 0; b < B; b++) {
      const scores = tf.matMul(qs[b]!, kTs[b]!); // [R, R]
      const [p, pT, span] = tf.engine().runKernel(MASKED_SOFTMAX_KERNEL, { scores, mask }, { block: perRow ? Math.floor(b / per) : 0 }) as tf.Tensor2D[];
      os.push(tf.matMul(p!, vs[b]!)); // [R, hd]
      ps.push(p!);
      pts.push(pT!);
      spans.push(span!);
    }
    save([...qs, ...ks, ...ps, ...pts, ...spans, vv]);
    return {
      value: tf.stack(os), // [B, R, hd]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const part = (i: number): tf.Tensor2D[] => saved.slice(i * B, (i + 1) * B) as tf.Tensor2D[];
        const [sq, sk, sp, spT, ssp] = [part(0), part(1), part(2), part(3), part(4)];
        const dos = tf.unstack(dy) as tf.Tensor2D[];
        const vTs = tf.unstack(transposeSlabs(saved[5 * B] as tf.Tensor3D)) as tf.Tensor2D[]; // B x [hd, R]
        const dq: tf.Tensor2D[] = [];
        const dk: tf.Tensor2D[] = [];
        const dv: tf.Tensor2D[] = [];
        for (let b = 0; b < B; b++) {
          const dp = tf.matMul(dos[b]!, vTs[b]!); // [R, R]
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
