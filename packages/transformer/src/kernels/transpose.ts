/** Tiled 2-D transpose, or of each [r, c] slab of a [G, r, c] tensor (`XrecTranspose2d`). */
import { registerJsKernel, type JsKernel } from './registry.js';

export const TRANSPOSE_2D_KERNEL = 'XrecTranspose2d';

/** out[j, i] = x[i, j] for x [r, c], walking the output row by row in 64x64 tiles. */
export function transposeInto(x: ArrayLike<number>, r: number, c: number, out: Float32Array): void {
  const T = 64;
  for (let j0 = 0; j0 < c; j0 += T) {
    const j1 = Math.min(c, j0 + T);
    for (let i0 = 0; i0 < r; i0 += T) {
      const i1 = Math.min(r, i0 + T);
      for (let j = j0; j < j1; j++) {
        const o = j * r;
        for (let i = i0; i < i1; i++) out[o + i] = x[i * c + j]!;
      }
    }
  }
}

/** Tiled 2-D transpose [r, c] -> [c, r] (faster than wasm's Transpose for wide matrices); [G, r, c] -> [G, c, r] per slab. */
const transpose2d: JsKernel = {
  name: TRANSPOSE_2D_KERNEL,
  outShapes: (s) => [s[0]!.length === 3 ? [s[0]![0]!, s[0]![2]!, s[0]![1]!] : [s[0]![1]!, s[0]![0]!]],
  compute: ([x], [out], [shape]) => {
    const [g, r, c] = (shape!.length === 3 ? shape : [1, ...shape!]) as [number, number, number];
    if (g === 1) {
      transposeInto(x!, r, c, out!);
      return;
    }
    const size = r * c;
    for (let b = 0; b < g; b++) transposeInto(x!.subarray(b * size, (b + 1) * size), r, c, out!.subarray(b * size, (b + 1) * size));
  },
};

export function registerTransposeKernel(): void {
  registerJsKernel(transpose2d, ['x']);
}
