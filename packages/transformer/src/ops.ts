/**
 * Fast differentiable building blocks for the wasm backend (see shared STACK-NOTES.md):
 *
 * - {@link matMul2d}: `a @ b` for 2-D tensors whose gradient transposes explicitly (`dA = dY @ bᵀ`,
 *   `dB = aᵀ @ dY`) and never uses the slow `transposeA/B` flags or 3-D shapes.
 * - {@link matMulBT}: `a @ bᵀ` (the tied LM head `h @ Eᵀ`) with the same property.
 * - {@link softmaxCrossEntropy}: mean token cross-entropy with an ignore index and a hand-written
 *   gradient `(softmax(z) - onehot(y)) · w` (w = 1/#valid on kept rows, 0 on ignored rows), computed by one
 *   fused kernel instead of a broadcast `Equal` over the vocabulary.
 * - {@link geluTanh}: GPT-2's tanh-approximated GELU with a closed-form gradient.
 *
 * All of them compute exactly what the plain tfjs ops compute on every backend; the tests compare their
 * values and gradients with the cpu backend and with finite differences.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@xrec/core';
import { CE_GRAD_KERNEL } from './wasm-kernels.js';

type SaveFn = (tensors: tf.Tensor[]) => void;
type GradFn = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
type OpBody = (...args: never[]) => { value: tf.Tensor; gradFunc: GradFn };

/** `tf.customGrad` with the inputs typed by the body (tfjs types every input as Tensor | save function). */
function customOp(f: OpBody): (...inputs: tf.Tensor[]) => tf.Tensor {
  return (tf.customGrad as unknown as (g: OpBody) => (...inputs: tf.Tensor[]) => tf.Tensor)(f);
}

function check2d(t: tf.Tensor, name: string, op: string): void {
  if (t.rank !== 2) throw new ShapeError(`${op}: '${name}' must be 2-D, got shape [${t.shape.join(', ')}]`);
}

const mmFull = customOp(((a: tf.Tensor2D, b: tf.Tensor2D, save: SaveFn) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b), // [N, M] = [N, K] @ [K, M]
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)]; // [N, K], [K, M]
    },
  };
}) as OpBody);

// Same product, but `b` is a frozen weight: skip the `aᵀ @ dY` product (LoRA trains with frozen bases).
const mmFrozenB = customOp(((a: tf.Tensor2D, b: tf.Tensor2D, save: SaveFn) => {
  save([b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sb] = saved as [tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(sb)), tf.zerosLike(sb)];
    },
  };
}) as OpBody);

/**
 * `a @ b` for `a: [N, K]`, `b: [K, M]` -> `[N, M]`, with an explicit-transpose gradient.
 * When `b` is a non-trainable `tf.Variable`, its (unused) gradient is not computed.
 */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  check2d(a, 'a', 'matMul2d');
  check2d(b, 'b', 'matMul2d');
  if (a.shape[1] !== b.shape[0]) {
    throw new ShapeError(`matMul2d: inner sizes differ: a is [${a.shape.join(', ')}], b is [${b.shape.join(', ')}]`);
  }
  const frozen = b instanceof tf.Variable && !b.trainable;
  return (frozen ? mmFrozenB(a, b) : mmFull(a, b)) as unknown as tf.Tensor2D;
}

const mmBT = customOp(((a: tf.Tensor2D, b: tf.Tensor2D, save: SaveFn) => {
  save([a, b]);
  return {
    value: tf.matMul(a, tf.transpose(b)), // [N, M] = [N, K] @ [K, M]   (b: [M, K])
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      // dA = dY @ b : [N, M] @ [M, K];  dB = (aᵀ @ dY)ᵀ : ([K, N] @ [N, M])ᵀ = [M, K]
      return [tf.matMul(dy, sb), tf.transpose(tf.matMul(tf.transpose(sa), dy))];
    },
  };
}) as OpBody);

/** `a @ bᵀ` for `a: [N, K]`, `b: [M, K]` -> `[N, M]` (e.g. hidden states times a [V, d] embedding matrix). */
export function matMulBT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  check2d(a, 'a', 'matMulBT');
  check2d(b, 'b', 'matMulBT');
  if (a.shape[1] !== b.shape[1]) {
    throw new ShapeError(`matMulBT: a is [${a.shape.join(', ')}] but b is [${b.shape.join(', ')}]: need equal second sizes`);
  }
  return mmBT(a, b) as unknown as tf.Tensor2D;
}

/**
 * Mean cross-entropy of `logits: [N, V]` against integer `labels` (length N), skipping rows whose label
 * equals `ignoreIndex`:
 *
 *   loss = (1 / |K|) Σ_{i∈K} (logsumexp(z_i) - z_{i, y_i}),   K = { i : y_i ≠ ignoreIndex }
 *   ∂loss/∂z_i = (softmax(z_i) - onehot(y_i)) / |K|  for i ∈ K, else 0.
 *
 * logsumexp is computed as `max(z_i) - log(max(softmax(z_i)))`, which never underflows (max softmax ≥ 1/V).
 * Returns 0 (with zero gradient) when every label is ignored.
 */
export function softmaxCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D | Int32Array | readonly number[],
  ignoreIndex = -100,
): tf.Scalar {
  check2d(logits, 'logits', 'softmaxCrossEntropy');
  const [n, v] = logits.shape;
  const lab: ArrayLike<number> = labels instanceof tf.Tensor ? (labels.dataSync() as Int32Array) : labels;
  if (lab.length !== n) {
    throw new ShapeError(`softmaxCrossEntropy: ${lab.length} labels for ${n} logit rows (logits [${n}, ${v}])`);
  }
  const safe = new Int32Array(n);
  const flat = new Int32Array(n);
  const weight = new Float32Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const y = lab[i]!;
    if (y === ignoreIndex) continue;
    if (!Number.isInteger(y) || y < 0 || y >= v) {
      throw new ShapeError(`softmaxCrossEntropy: label ${y} at row ${i} is outside [0, ${v}) and is not the ignore index ${ignoreIndex}`);
    }
    kept += 1;
  }
  for (let i = 0; i < n; i++) {
    const y = lab[i]!;
    const keep = y !== ignoreIndex;
    safe[i] = keep ? y : 0;
    flat[i] = i * v + (keep ? y : 0);
    weight[i] = keep ? 1 / kept : 0;
  }
  const ce = customOp(((z: tf.Tensor2D, save: SaveFn) => {
    const p = tf.softmax(z); // [N, V]
    save([p]);
    const w = tf.tensor1d(weight);
    const lse = tf.sub(tf.max(z, 1), tf.log(tf.max(p, 1))); // [N]
    const picked = tf.gather(tf.reshape(z, [n * v]), tf.tensor1d(flat, 'int32')); // [N]
    const value = tf.sum(tf.mul(tf.sub(lse, picked), w));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sp] = saved as [tf.Tensor2D];
        const scale = tf.mul(tf.tensor1d(weight), dy); // [N]
        return [ceGradFromSoftmax(sp, safe, scale as tf.Tensor1D)];
      },
    };
  }) as OpBody);
  return ce(logits) as unknown as tf.Scalar;
}

/** `(p - onehot(labels)) * scale[:, None]` for `p: [N, V]` in one pass (kernel on wasm and cpu, ops elsewhere). */
export function ceGradFromSoftmax(p: tf.Tensor2D, labels: Int32Array, scale: tf.Tensor1D): tf.Tensor2D {
  const backend = tf.getBackend();
  if (tf.getKernel(CE_GRAD_KERNEL, backend)) {
    const lab = tf.tensor1d(labels, 'int32');
    const out = tf.engine().runKernel(CE_GRAD_KERNEL, { probs: p, labels: lab, scale }, {}) as tf.Tensor2D;
    lab.dispose();
    return out;
  }
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), p.shape[1]);
    return tf.mul(tf.sub(p, onehot), tf.reshape(scale, [p.shape[0], 1])) as tf.Tensor2D;
  });
}

const GELU_C = Math.sqrt(2 / Math.PI);

const geluOp = customOp(((x: tf.Tensor, save: SaveFn) => {
  // u = c (x + 0.044715 x³);  gelu = 0.5 x (1 + tanh u)
  const x2 = tf.mul(x, x);
  const u = tf.mul(tf.mul(x, tf.add(tf.mul(x2, 0.044715), 1)), GELU_C);
  const th = tf.tanh(u);
  save([x, th]);
  return {
    value: tf.mul(tf.mul(x, 0.5), tf.add(th, 1)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, st] = saved as [tf.Tensor, tf.Tensor];
      // d/dx = 0.5 (1 + t) + 0.5 x (1 - t²) c (1 + 3·0.044715 x²)
      const sx2 = tf.mul(sx, sx);
      const sech2 = tf.sub(1, tf.mul(st, st));
      const du = tf.mul(tf.add(tf.mul(sx2, 3 * 0.044715), 1), GELU_C);
      const d = tf.add(tf.mul(tf.add(st, 1), 0.5), tf.mul(tf.mul(tf.mul(sx, 0.5), sech2), du));
      return [tf.mul(dy, d)];
    },
  };
}) as OpBody);

/** GELU with the tanh approximation (GPT-2's `gelu_new`): `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`. */
export function geluTanh<T extends tf.Tensor>(x: T): T {
  return geluOp(x) as unknown as T;
}

/** SiLU `x · σ(x)` (Llama's MLP activation). */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x)) as T;
}
