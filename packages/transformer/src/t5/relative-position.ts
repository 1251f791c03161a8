/**
 * T5's relative position buckets (Hugging Face `T5Attention._relative_position_bucket`): half the buckets
 * (bidirectional) or all (causal) hold exact offsets below `maxExact = buckets / 2`, the rest are
 * logarithmically wider up to `maxDistance`. The logarithm is evaluated in float32 exactly as PyTorch does
 * (each operation rounded to float32), so bucket boundaries agree with Hugging Face's bit for bit.
 */
import * as tf from '@tensorflow/tfjs';

const f = Math.fround;

/** Bucket of `rel = key position − query position`. */
export function relativePositionBucket(rel: number, bidirectional: boolean, numBuckets: number, maxDistance: number): number {
  let nb = numBuckets;
  let ret = 0;
  let n: number;
  if (bidirectional) {
    nb = Math.floor(nb / 2);
    if (rel > 0) ret += nb;
    n = Math.abs(rel);
  } else {
    n = -Math.min(rel, 0);
  }
  const maxExact = Math.floor(nb / 2);
  if (n < maxExact) return ret + n;
  const scaled = f(f(f(Math.log(f(n / maxExact))) / f(Math.log(maxDistance / maxExact))) * (nb - maxExact));
  return ret + Math.min(maxExact + Math.trunc(scaled), nb - 1);
}

/**
 * The additive position bias [H, Sq, Sk] of a stack from its table [numBuckets, H]: query i sits at position
 * `pastLen + i`, key j at j.
 */
export function positionBias(table: tf.Tensor2D, Sq: number, Sk: number, pastLen: number, bidirectional: boolean, numBuckets: number, maxDistance: number): tf.Tensor3D {
  const H = table.shape[1];
  const idx = new Int32Array(Sq * Sk);
  for (let i = 0; i < Sq; i++) for (let j = 0; j < Sk; j++) idx[i * Sk + j] = relativePositionBucket(j - (pastLen + i), bidirectional, numBuckets, maxDistance);
  return tf.tidy(() => tf.transpose(tf.reshape(tf.gather(table, tf.tensor1d(idx, 'int32')), [Sq, Sk, H]), [2, 0, 1]) as tf.Tensor3D);
}
