/**
 * Fast differentiable building blocks for the wasm backend:
 *
 * - {@link matMul2d}: `a @ b` for 2-D tensors whose gradient transposes explicitly (`dA = dY @ bᵀ`,
 *   `dB = aᵀ @ dY`) and never uses the slow `transposeA/B` flags or 3-D shapes.
 * - {@link matMulBT}: `a @ bᵀ` (the tied LM head `h @ Eᵀ`) with the same property.
 * - {@link softmaxCrossEntropy}: mean token cross-entropy with an ignore index and a hand-written
 *   gradient `(softmax(z) - onehot(y)) · w` (w = 1/#valid on kept rows, 0 on ignored rows), computed by one
 *   fused kernel instead of a broadcast `Equal` over the vocabulary.
 * - {@link linear2d}: `x W + b` whose bias gradient is the matmul `1ᵀ dY` (a column sum over N rows is slow on wasm).
 * - {@link geluTanh}: GPT-2's tanh-approximated GELU with a closed-form gradient (one fused kernel each way).
 * - {@link layerNorm} / {@link rmsNorm}: fused normalisation over the last axis with a hand-written backward.
 *
 * All of them compute exactly what the plain tfjs ops compute on every backend; the tests compare their
 * values and gradients with the cpu backend and with finite differences.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@xrec/core';
import { CE_GRAD_KERNEL, CE_ROW_LOSS_KERNEL, OUT_GRAD_H_KERNEL, OUT_GRAD_W_KERNEL } from './kernels/cross-entropy.js';
import { GELU_GRAD_KERNEL, GELU_KERNEL } from './kernels/gelu.js';
import { NORM_GRAD_KERNEL, NORM_KERNEL } from './kernels/norm.js';
import { TRANSPOSE_2D_KERNEL } from './kernels/transpose.js';
import { transposeFlagsFast } from './matmul-flags.js';

import { customOp, tapeIsOn, type GradFn, type OpBody, type SaveFn } from './custom-op.js';
import { fusedOutputCrossEntropy, outputCeFused } from './kernels/output-ce.js';

let fusedEnabled = true;

/**
 * Use xrec's fused JS kernels where the active backend has them (wasm, cpu; default true). `false` forces
 * the plain tfjs-op formulations, which are what other backends (e.g. tfjs-node) always run.
 */
export function setFusedKernels(enabled: boolean): void {
  fusedEnabled = enabled;
}

/** Whether the fused kernel `name` runs on the active backend. */
export function hasFusedKernel(name: string): boolean {
  return fusedEnabled && tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** 2-D transpose: the tiled JS kernel where registered (faster than wasm's Transpose), else tf.transpose. */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  if (hasFusedKernel(TRANSPOSE_2D_KERNEL)) return tf.engine().runKernel(TRANSPOSE_2D_KERNEL, { x }, {}) as tf.Tensor2D;
  return tf.transpose(x);
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
      if (transposeFlagsFast()) return [tf.matMul(dy, sb, false, true), tf.matMul(sa, dy, true, false)];
      return [tf.matMul(dy, transpose2d(sb)), tf.matMul(transpose2d(sa), dy)]; // [N, K], [K, M]
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
      return [transposeFlagsFast() ? tf.matMul(dy, sb, false, true) : tf.matMul(dy, transpose2d(sb)), tf.zerosLike(sb)];
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

type LinearBody = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: SaveFn) => { value: tf.Tensor; gradFunc: GradFn };

function linearOp(gradW: boolean, gradB: boolean) {
  return customOp(((x, w, b, save) => {
    save([x, w]);
    return {
      value: tf.add(tf.matMul(x, w), b), // [N, out]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dy2 = dy as tf.Tensor2D;
        const n = sx.shape[0];
        const flags = transposeFlagsFast();
        const dx = flags ? tf.matMul(dy2, sw, false, true) : tf.matMul(dy2, transpose2d(sw)); // [N, in]
        const dw = !gradW ? tf.zerosLike(sw) : flags ? tf.matMul(sx, dy2, true, false) : tf.matMul(transpose2d(sx), dy2); // [in, out]
        const db = gradB ? tf.reshape(tf.matMul(tf.ones([1, n]), dy2), [sw.shape[1]]) : tf.zeros([sw.shape[1]]); // 1ᵀ dY
        return [dx, dw, db];
      },
    };
  }) as LinearBody as unknown as OpBody);
}

const linearOps = [linearOp(false, false), linearOp(false, true), linearOp(true, false), linearOp(true, true)];

/**
 * `x W + b` for x [N, in], W [in, out], b [out] with explicit-transpose gradients and the bias gradient as
 * the matmul `1ᵀ dY`; without `b` it is {@link matMul2d}. Frozen (non-trainable) variables get no gradient work.
 */
export function linear2d(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  if (!b) return matMul2d(x, w);
  check2d(x, 'x', 'linear2d');
  check2d(w, 'w', 'linear2d');
  if (x.shape[1] !== w.shape[0] || b.rank !== 1 || b.shape[0] !== w.shape[1]) {
    throw new ShapeError(`linear2d: x [${x.shape.join(', ')}], w [${w.shape.join(', ')}], b [${b.shape.join(', ')}] do not fit`);
  }
  const gw = !(w instanceof tf.Variable && !w.trainable);
  const gb = !(b instanceof tf.Variable && !b.trainable);
  return linearOps[(gw ? 2 : 0) + (gb ? 1 : 0)]!(x, w, b) as tf.Tensor2D;
}

const mmBT = customOp(((a: tf.Tensor2D, b: tf.Tensor2D, save: SaveFn) => {
  save([a, b]);
  return {
    value: transposeFlagsFast() ? tf.matMul(a, b, false, true) : tf.matMul(a, transpose2d(b)), // [N, M] = [N, K] @ [K, M]   (b: [M, K])
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      if (transposeFlagsFast()) return [tf.matMul(dy, sb), tf.matMul(dy, sa, true, false)]; // [N, K], dyᵀ a = [M, K]
      // dA = dY @ b : [N, M] @ [M, K];  dB = (aᵀ @ dY)ᵀ : ([K, N] @ [N, M])ᵀ = [M, K]
      return [tf.matMul(dy, sb), transpose2d(tf.matMul(transpose2d(sa), dy))];
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
  const t = prepareLabels(labels, n, v, ignoreIndex, 'softmaxCrossEntropy');
  const ce = customOp(((z: tf.Tensor2D, save: SaveFn) => {
    const p = tf.softmax(z); // [N, V]
    save([p]);
    return {
      value: ceValue(z, p, t),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sp] = saved as [tf.Tensor2D];
        const scale = tf.mul(tf.tensor1d(t.weight), dy) as tf.Tensor1D; // [N]
        return [ceGradFromSoftmax(sp, t.safe, scale)];
      },
    };
  }) as OpBody);
  return ce(logits) as unknown as tf.Scalar;
}

interface PreparedLabels {
  /** Labels with ignored rows replaced by 0. */
  safe: Int32Array;
  /** Row index * V + label. */
  flat: Int32Array;
  /** 1/|K| on kept rows, 0 on ignored rows. */
  weight: Float32Array;
}

function prepareLabels(labels: tf.Tensor1D | Int32Array | readonly number[], n: number, v: number, ignoreIndex: number, where: string): PreparedLabels {
  const lab: ArrayLike<number> = labels instanceof tf.Tensor ? (labels.dataSync() as Int32Array) : labels;
  if (lab.length !== n) {
    throw new ShapeError(`${where}: ${lab.length} labels for ${n} logit rows (logits [${n}, ${v}])`);
  }
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const y = lab[i]!;
    if (y === ignoreIndex) continue;
    if (!Number.isInteger(y) || y < 0 || y >= v) {
      throw new ShapeError(`${where}: label ${y} at row ${i} is outside [0, ${v}) and is not the ignore index ${ignoreIndex}`);
    }
    kept += 1;
  }
  const safe = new Int32Array(n);
  const flat = new Int32Array(n);
  const weight = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const y = lab[i]!;
    const keep = y !== ignoreIndex;
    safe[i] = keep ? y : 0;
    flat[i] = i * v + (keep ? y : 0);
    weight[i] = keep ? 1 / kept : 0;
  }
  return { safe, flat, weight };
}

/** Σ_i w_i (logsumexp(z_i) - z_{i,y_i}) from logits z and p = softmax(z). */
function ceValue(z: tf.Tensor2D, p: tf.Tensor2D, t: PreparedLabels): tf.Scalar {
  const [n, v] = z.shape;
  const w = tf.tensor1d(t.weight);
  let rowLoss: tf.Tensor1D; // logsumexp(z_i) - z_{i,y_i}  [N]
  if (hasFusedKernel(CE_ROW_LOSS_KERNEL)) {
    const labs = tf.tensor1d(t.safe.map((y, i) => (t.weight[i] === 0 ? -1 : y)), 'int32');
    rowLoss = tf.engine().runKernel(CE_ROW_LOSS_KERNEL, { logits: z, probs: p, labels: labs }, {}) as tf.Tensor1D;
  } else {
    const lse = tf.sub(tf.max(z, 1), tf.log(tf.max(p, 1))); // [N]
    rowLoss = tf.sub(lse, tf.gather(tf.reshape(z, [n * v]), tf.tensor1d(t.flat, 'int32')));
  }
  return tf.sum(tf.mul(rowLoss, w));
}

/**
 * Output layer and cross-entropy fused: `softmaxCrossEntropy(h Wᵀ, labels)` for the output matrix given as
 * `weight: [V, d]` (`layout: 'vd'`, a tied embedding) or `[d, V]` (`'dv'`, a Linear in compute layout).
 *
 * Forward: z = h W_vdᵀ [N, V], P = softmax(z), row loss -log P[i, y_i] (O(N), see `XrecCeRowLoss`).
 * Backward, with s_i = dy / |K| on kept rows (0 on ignored ones) and G = diag(s)(P - Y), Y = onehot(y):
 *   dh    = G W_vd   = diag(s) (P W_vd - W_vd[y])                 ([N, V] @ [V, d], then a row gather)
 *   dW_vd = Gᵀ h     = Pᵀ (diag(s) h) - scatter of diag(s) h by y  ([V, N] @ [N, d], then a row scatter)
 *   dW_dv = dW_vdᵀ   (1M values)
 * so G itself is never formed: the softmax P is used as is, the one-hot part costs O(N·d), and both large
 * products have the small matrix as their second operand (measured faster on wasm than hᵀ P, whose [N, V]
 * second operand XNNPACK would repack every step, even counting the transpose of P).
 */
export function outputCrossEntropy(
  hidden: tf.Tensor2D,
  weight: tf.Tensor2D,
  layout: 'vd' | 'dv',
  labels: tf.Tensor1D | Int32Array | readonly number[],
  ignoreIndex = -100,
): tf.Scalar {
  check2d(hidden, 'hidden', 'outputCrossEntropy');
  check2d(weight, 'weight', 'outputCrossEntropy');
  const [n, d] = hidden.shape;
  const [v, wd] = layout === 'vd' ? weight.shape : [weight.shape[1], weight.shape[0]];
  if (wd !== d) {
    throw new ShapeError(`outputCrossEntropy: hidden [${hidden.shape.join(', ')}] and ${layout} weight [${weight.shape.join(', ')}] disagree on d`);
  }
  if (!hasFusedKernel(OUT_GRAD_W_KERNEL) || !hasFusedKernel(OUT_GRAD_H_KERNEL) || !hasFusedKernel(CE_ROW_LOSS_KERNEL)) {
    const logits = layout === 'vd' ? matMulBT(hidden, weight) : matMul2d(hidden, weight);
    return softmaxCrossEntropy(logits, labels, ignoreIndex);
  }
  const t = prepareLabels(labels, n, v, ignoreIndex, 'outputCrossEntropy');
  const gradW = !(weight instanceof tf.Variable && !weight.trainable);
  if (outputCeFused()) return fusedOutputCrossEntropy(hidden, weight, layout, t.safe, t.weight, { grads: tapeIsOn(), gradW });
  const op = customOp(((h: tf.Tensor2D, w: tf.Tensor2D, save: SaveFn) => {
    const flags = transposeFlagsFast();
    const z = (flags ? tf.matMul(h, w, false, layout === 'vd') : tf.matMul(h, layout === 'vd' ? transpose2d(w) : w)) as tf.Tensor2D; // [N, V]
    const p = tf.softmax(z) as tf.Tensor2D;
    save([h, w, p]);
    return {
      value: ceValue(z, p, t),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sh, sw, sp] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const scale = tf.mul(tf.tensor1d(t.weight), dy) as tf.Tensor1D; // s [N]
        const lab = tf.tensor1d(t.safe, 'int32');
        const wVd = layout === 'vd' ? sw : transpose2d(sw); // [V, d]
        const pw = flags ? tf.matMul(sp, sw, false, layout === 'dv') : tf.matMul(sp, wVd); // P W_vd [N, d]
        const dh = tf.engine().runKernel(OUT_GRAD_H_KERNEL, { pw, w: wVd, labels: lab, scale }, {}) as tf.Tensor2D; // [N, d]
        if (!gradW) return [dh, tf.zerosLike(sw)];
        const hs = tf.mul(sh, tf.reshape(scale, [n, 1])) as tf.Tensor2D; // diag(s) h [N, d]
        const a = flags ? tf.matMul(sp, hs, true, false) : tf.matMul(transpose2d(sp), hs); // Pᵀ (diag(s) h): [V, N] @ [N, d] = [V, d]
        const dw = tf.engine().runKernel(OUT_GRAD_W_KERNEL, { a, hs, labels: lab }, { transpose: layout === 'dv' }) as tf.Tensor2D;
        return [dh, dw];
      },
    };
  }) as OpBody);
  return op(hidden, weight) as unknown as tf.Scalar;
}

/** `(p - onehot(labels)) * scale[:, None]` for `p: [N, V]` in one pass (kernel on wasm and cpu, ops elsewhere). */
export function ceGradFromSoftmax(p: tf.Tensor2D, labels: Int32Array, scale: tf.Tensor1D): tf.Tensor2D {
  if (hasFusedKernel(CE_GRAD_KERNEL)) {
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
  const [y, th] = tf.engine().runKernel(GELU_KERNEL, { x }, {}) as tf.Tensor[];
  save([x, th!]);
  return {
    value: y!,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.engine().runKernel(GELU_GRAD_KERNEL, { dy, x: saved[0]!, tanh: saved[1]! }, {}) as tf.Tensor],
  };
}) as OpBody);

/**
 * GELU with the tanh approximation (GPT-2's `gelu_new`): `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`;
 * derivative `0.5 (1 + t) + 0.5 x (1 - t²) √(2/π) (1 + 3·0.044715 x²)` with t the tanh above.
 */
export function geluTanh<T extends tf.Tensor>(x: T): T {
  if (hasFusedKernel(GELU_KERNEL)) return geluOp(x) as unknown as T;
  const u = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), GELU_C);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(u), 1)) as T;
}

/** The exact GELU (BERT's `gelu`): `0.5 x (1 + erf(x / √2))`; gradient through tfjs's Erf gradient. */
export function geluErf<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)) as T);
}

function normOp(rms: boolean, eps: number, withBias: boolean) {
  return customOp(((...args: (tf.Tensor | SaveFn)[]) => {
    const save = args[args.length - 1] as SaveFn;
    const [x, w, b] = args as tf.Tensor[];
    const inputs: tf.NamedTensorMap = withBias ? { x: x!, w: w!, b: b! } : { x: x!, w: w! };
    const [y, mean, rstd] = tf.engine().runKernel(NORM_KERNEL, inputs, { eps, rms }) as tf.Tensor[];
    save([x!, w!, mean!, rstd!]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sm, sr] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const [dx, dw, db] = tf.engine().runKernel(NORM_GRAD_KERNEL, { dy, x: sx, w: sw, mean: sm, rstd: sr }, { rms }) as tf.Tensor[];
        return withBias ? [dx!, dw!, db!] : [dx!, dw!];
      },
    };
  }) as OpBody);
}

const normCache = new Map<string, (...inputs: tf.Tensor[]) => tf.Tensor>();

function runNorm(x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D | undefined, eps: number, rms: boolean, name: string): tf.Tensor2D {
  if (x.rank !== 2 || w.rank !== 1 || w.shape[0] !== x.shape[1] || (b && (b.rank !== 1 || b.shape[0] !== x.shape[1]))) {
    throw new ShapeError(`${name}: need x [N, d], weight [d], bias [d]; got [${x.shape.join(', ')}], [${w.shape.join(', ')}]${b ? `, [${b.shape.join(', ')}]` : ''}`);
  }
  if (!hasFusedKernel(NORM_KERNEL)) {
    const mean = rms ? undefined : tf.mean(x, 1, true); // [N, 1]
    const xc = mean ? tf.sub(x, mean) : x;
    const y = tf.mul(tf.mul(xc, tf.rsqrt(tf.add(tf.mean(tf.mul(xc, xc), 1, true), eps))), w);
    return (b ? tf.add(y, b) : y) as tf.Tensor2D;
  }
  const key = `${rms}:${eps}:${b !== undefined}`;
  let op = normCache.get(key);
  if (!op) {
    op = normOp(rms, eps, b !== undefined);
    normCache.set(key, op);
  }
  return (b ? op(x, w, b) : op(x, w)) as tf.Tensor2D;
}

/** LayerNorm over the last axis: `(x - μ) / √(σ² + ε) ⊙ w + b` for x [N, d]. */
export function layerNorm(x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D | undefined, eps: number): tf.Tensor2D {
  return runNorm(x, w, b, eps, false, 'layerNorm');
}

/** RMSNorm over the last axis: `x / √(mean(x²) + ε) ⊙ w` for x [N, d]. */
export function rmsNorm(x: tf.Tensor2D, w: tf.Tensor1D, eps: number): tf.Tensor2D {
  return runNorm(x, w, undefined, eps, true, 'rmsNorm');
}

/** SiLU `x · σ(x)` (Llama's MLP activation). */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x)) as T;
}
