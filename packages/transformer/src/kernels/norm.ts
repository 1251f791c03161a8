/** Fused LayerNorm / RMSNorm forward and backward over the last axis of [N, d] (`XrecNorm`, `XrecNormGrad`; formulas in ops.ts). */
import { registerJsKernel, type JsKernel } from './registry.js';

export const NORM_KERNEL = 'XrecNorm';
export const NORM_GRAD_KERNEL = 'XrecNormGrad';


// y = x̂ ⊙ w (+ b), x̂ = (x - μ) · r (LayerNorm) or x · r (RMSNorm), r = 1/√(var + ε) or 1/√(mean(x²) + ε).
// Outputs: y [N, d], μ [N], r [N].
const norm: JsKernel = {
  name: NORM_KERNEL,
  outShapes: (s) => [s[0]!, [s[0]![0]!], [s[0]![0]!]],
  compute: ([x, w, b], [y, mu, rs], [shape], attrs) => {
    const [n, d] = shape as [number, number];
    const eps = attrs.eps as number;
    const rms = attrs.rms as boolean;
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let mean = 0;
      if (!rms) {
        for (let j = 0; j < d; j++) mean += x![o + j]!;
        mean /= d;
      }
      let v = 0;
      for (let j = 0; j < d; j++) {
        const c = x![o + j]! - mean;
        v += c * c;
      }
      const r = 1 / Math.sqrt(v / d + eps);
      mu![i] = mean;
      rs![i] = r;
      if (b) for (let j = 0; j < d; j++) y![o + j] = (x![o + j]! - mean) * r * w![j]! + b[j]!;
      else for (let j = 0; j < d; j++) y![o + j] = (x![o + j]! - mean) * r * w![j]!;
    }
  },
};

// dx = r (ĝ - mean(ĝ) - x̂ mean(ĝ ⊙ x̂)) with ĝ = dy ⊙ w (the mean(ĝ) term only for LayerNorm);
// dw = Σ_rows dy ⊙ x̂; db = Σ_rows dy.  Inputs dy, x, w, μ, r. Outputs dx [N, d], dw [d], db [d].
const normGrad: JsKernel = {
  name: NORM_GRAD_KERNEL,
  outShapes: (s) => [s[0]!, [s[0]![1]!], [s[0]![1]!]],
  compute: ([dy, x, w, mu, rs], [dx, dw, db], [shape], attrs) => {
    const [n, d] = shape as [number, number];
    const rms = attrs.rms as boolean;
    dw!.fill(0);
    db!.fill(0);
    const xh = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      const m = mu![i]!;
      const r = rs![i]!;
      let sg = 0;
      let sgx = 0;
      for (let j = 0; j < d; j++) {
        const h = (x![o + j]! - m) * r;
        xh[j] = h;
        const g = dy![o + j]! * w![j]!;
        sg += g;
        sgx += g * h;
        dw![j]! += dy![o + j]! * h;
        db![j]! += dy![o + j]!;
      }
      const mg = rms ? 0 : sg / d;
      const mgx = sgx / d;
      for (let j = 0; j < d; j++) dx![o + j] = r * (dy![o + j]! * w![j]! - mg - xh[j]! * mgx);
    }
  },
};

export function registerNormKernels(): void {
  registerJsKernel(norm, ['x', 'w', 'b']);
  registerJsKernel(normGrad, ['dy', 'x', 'w', 'mean', 'rstd']);
}
