/** tanh-GELU (also returning the tanh) and its derivative (`XrecGelu`, `XrecGeluGrad`). */
import { registerJsKernel, type JsKernel } from './registry.js';

export const GELU_KERNEL = 'XrecGelu';
export const GELU_GRAD_KERNEL = 'XrecGeluGrad';

const GELU_C = Math.sqrt(2 / Math.PI);

// tanh(u) = 1 - 2 / (exp(2u) + 1) (one exp, faster than Math.tanh in V8; exact limits ±1).
// Forward outputs y = 0.5 x (1 + t) and t = tanh(√(2/π)(x + 0.044715 x³)) (saved for the backward pass).
const gelu: JsKernel = {
  name: GELU_KERNEL,
  outShapes: (s) => [s[0]!, s[0]!],
  compute: ([x], [y, th]) => {
    for (let i = 0; i < x!.length; i++) {
      const v = x![i]!;
      const t = 1 - 2 / (Math.exp(2 * GELU_C * (v + 0.044715 * v * v * v)) + 1);
      th![i] = t;
      y![i] = 0.5 * v * (1 + t);
    }
  },
};

// d gelu/dx = 0.5 (1 + t) + 0.5 x (1 - t²) c (1 + 3·0.044715 x²); inputs dy, x, t.
const geluGrad: JsKernel = {
  name: GELU_GRAD_KERNEL,
  outShapes: (s) => [s[0]!],
  compute: ([dy, x, th], [dx]) => {
    for (let i = 0; i < x!.length; i++) {
      const v = x![i]!;
      const t = th![i]!;
      dx![i] = dy![i]! * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * v * v));
    }
  },
};

export function registerGeluKernels(): void {
  registerJsKernel(gelu, ['x']);
  registerJsKernel(geluGrad, ['dy', 'x', 'tanh']);
}
