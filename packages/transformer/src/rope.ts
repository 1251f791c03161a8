/**
 * Rotary position embeddings (RoFormer, Su et al. 2021) in Hugging Face Llama's "rotate half" convention:
 *
 *   rope(x) = x ⊙ cos(θ p) + rotate_half(x) ⊙ sin(θ p),   rotate_half([x₁, x₂]) = [-x₂, x₁]
 *   θ_j = base^(-2j / hd) for j < hd/2, repeated for the second half of each head.
 *
 * Applied to 2-D activations `[N, nHeads·hd]` (N = B·S rows). `rotate_half` is a swap of the two halves
 * with the sign folded into the sine table: `y = x ⊙ cos + swap(x) ⊙ sin±`, one fused kernel each way on
 * wasm/cpu (elsewhere a `reverse` on a `[N·nHeads, 2, hd/2]` view and elementwise products).
 * Angles are computed in float32 like llama2.c and PyTorch: `fl(p · fl(θ_j))`.
 */
import * as tf from '@tensorflow/tfjs';
import { ROPE_KERNEL } from './kernels/rope.js';
import { hasFusedKernel } from './ops.js';

export interface RopeTables {
  /** [N, nHeads·hd] */
  readonly cos: tf.Tensor2D;
  /** [N, nHeads·hd], first half of each head negated. */
  readonly sinSigned: tf.Tensor2D;
}

/** cos / signed-sin tables for rows with the given positions (one per row), `nHeads` heads of size `hd`. */
export function ropeTables(positions: ArrayLike<number>, nHeads: number, hd: number, base: number): RopeTables {
  const n = positions.length;
  const half = hd / 2;
  const width = nHeads * hd;
  const invFreq = new Float64Array(half);
  for (let j = 0; j < half; j++) invFreq[j] = Math.fround(1 / Math.fround(base ** ((2 * j) / hd)));
  const cosRow = new Float32Array(hd);
  const sinRow = new Float32Array(hd);
  const cos = new Float32Array(n * width);
  const sin = new Float32Array(n * width);
  for (let r = 0; r < n; r++) {
    const p = positions[r]!;
    for (let j = 0; j < half; j++) {
      const a = Math.fround(p * invFreq[j]!);
      const c = Math.cos(a);
      const s = Math.sin(a);
      cosRow[j] = c;
      cosRow[j + half] = c;
      sinRow[j] = -s;
      sinRow[j + half] = s;
    }
    for (let h = 0; h < nHeads; h++) {
      cos.set(cosRow, r * width + h * hd);
      sin.set(sinRow, r * width + h * hd);
    }
  }
  return { cos: tf.tensor2d(cos, [n, width]), sinSigned: tf.tensor2d(sin, [n, width]) };
}

type RopeBody = (x: tf.Tensor2D, c: tf.Tensor2D, s: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] };

/** Apply RoPE to `x: [N, nHeads·hd]` with tables from {@link ropeTables}. */
export function applyRope(x: tf.Tensor2D, t: RopeTables, nHeads: number, hd: number): tf.Tensor2D {
  if (hasFusedKernel(ROPE_KERNEL)) {
    // Fused kernel both ways (dx = dy ⊙ c + swap(dy ⊙ s)); the tables are constants.
    // The tables are passed as inputs (with zero gradients) so the tape keeps them alive for the backward pass.
    const run = (v: tf.Tensor, c: tf.Tensor, s: tf.Tensor, backward: boolean): tf.Tensor =>
      tf.engine().runKernel(ROPE_KERNEL, { x: v, cos: c, sin: s }, { hd, backward });
    const op = tf.customGrad(((v: tf.Tensor2D, c: tf.Tensor2D, s: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
      save([c, s]);
      return {
        value: run(v, c, s, false),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [run(dy, saved[0]!, saved[1]!, true), tf.zerosLike(saved[0]!), tf.zerosLike(saved[1]!)],
      };
    }) as RopeBody as never);
    return (op as unknown as (...a: tf.Tensor[]) => tf.Tensor)(x, t.cos, t.sinSigned) as tf.Tensor2D;
  }
  const n = x.shape[0];
  const swapped = tf.reshape(tf.reverse(tf.reshape(x, [n * nHeads, 2, hd / 2]), 1), [n, nHeads * hd]); // [x₂, x₁]
  return tf.add(tf.mul(x, t.cos), tf.mul(swapped, t.sinSigned));
}
