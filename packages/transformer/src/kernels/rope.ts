/** Rotary embedding and its transpose in one pass (`XrecRope`). */
import { registerJsKernel, type JsKernel } from './registry.js';

export const ROPE_KERNEL = 'XrecRope';


// RoPE in rotate-half form with the sign folded into the sine table (see rope.ts), per head of size hd:
//   forward  y = x ⊙ c + swap(x) ⊙ s;   backward  dx = dy ⊙ c + swap(dy ⊙ s)   (swap exchanges the halves).
// Inputs x, cos, sinSigned (all [N, width]); attrs hd, backward.
const rope: JsKernel = {
  name: ROPE_KERNEL,
  outShapes: (s) => [s[0]!],
  compute: ([x, c, sn], [y], _shapes, attrs) => {
    const hd = attrs.hd as number;
    const half = hd / 2;
    const back = attrs.backward === true;
    for (let o = 0; o < x!.length; o += hd) {
      for (let j = 0; j < half; j++) {
        const a = o + j;
        const b = a + half;
        if (back) {
          y![a] = x![a]! * c![a]! + x![b]! * sn![b]!;
          y![b] = x![b]! * c![b]! + x![a]! * sn![a]!;
        } else {
          y![a] = x![a]! * c![a]! + x![b]! * sn![a]!;
          y![b] = x![b]! * c![b]! + x![a]! * sn![b]!;
        }
      }
    }
  },
};

export function registerRopeKernel(): void {
  registerJsKernel(rope, ['x', 'cos', 'sin']);
}
