import { describe, it, expect } from 'vitest';
import { Rng } from '@xrec/core';
import { maskWindows, splitMlmBatch } from './mlm-batch.js';

const V = 100;
const opts = { maskId: 99, vocabSize: V, special: [0, 1, 2] };

function windows(rows: number, stride: number): Int32Array {
  const w = new Int32Array(rows * stride);
  for (let i = 0; i < w.length; i++) w[i] = 3 + ((i * 37) % 90);
  for (let r = 0; r < rows; r++) w[r * stride] = 1; // a <bos> at each row start
  return w;
}

describe('maskWindows (BERT masking)', () => {
  it('chooses ~15% of non-special tokens, replaces 80/10/10, labels only chosen positions, never touches specials', () => {
    const rows = 200;
    const seq = 64;
    const w = windows(rows, seq + 1);
    const b = maskWindows(w, rows, seq + 1, seq, opts, new Rng(7));
    expect(b.ids.length).toBe(rows * seq);
    let chosen = 0;
    let masked = 0;
    let kept = 0;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < seq; j++) {
        const orig = w[r * (seq + 1) + j]!;
        const i = r * seq + j;
        if (b.labels[i] === -100) {
          expect(b.ids[i]).toBe(orig);
          continue;
        }
        expect(orig).not.toBe(1);
        expect(b.labels[i]).toBe(orig);
        chosen++;
        if (b.ids[i] === 99) masked++;
        else if (b.ids[i] === orig) kept++;
        else expect([0, 1, 2, 99]).not.toContain(b.ids[i]);
      }
    }
    expect(b.tokens).toBe(chosen);
    const frac = chosen / (rows * (seq - 1));
    expect(frac).toBeGreaterThan(0.13);
    expect(frac).toBeLessThan(0.17);
    expect(masked / chosen).toBeGreaterThan(0.75);
    expect(masked / chosen).toBeLessThan(0.85);
    expect(kept / chosen).toBeGreaterThan(0.06); // ~10% kept (+ random draws equal to the original)
    expect(kept / chosen).toBeLessThan(0.14);
  });

  it('is a function of the seed, and masks at least one token per row', () => {
    const w = windows(50, 5);
    const a = maskWindows(w, 50, 5, 4, { ...opts, prob: 0.01 }, new Rng(3));
    const b = maskWindows(w, 50, 5, 4, { ...opts, prob: 0.01 }, new Rng(3));
    expect(Array.from(a.ids)).toEqual(Array.from(b.ids));
    for (let r = 0; r < 50; r++) expect(Array.from(a.labels.subarray(r * 4, r * 4 + 4)).some((l) => l !== -100)).toBe(true);
  });

  it('splits by rows with exact scored-token counts; rejects bad input', () => {
    const w = windows(5, 9);
    const b = maskWindows(w, 5, 9, 8, opts, new Rng(1));
    const parts = splitMlmBatch(b, 2);
    expect(parts.map((p) => p.size)).toEqual([3, 2]);
    expect(parts.reduce((a, p) => a + p.tokens, 0)).toBe(b.tokens);
    expect(Array.from(parts[1]!.ids)).toEqual(Array.from(b.ids.subarray(24)));
    expect(() => maskWindows(w, 5, 9, 8, { ...opts, prob: 0 }, new Rng(1))).toThrow(/prob must be in \(0, 1\)/);
    expect(() => maskWindows(new Int32Array(3).fill(1), 1, 3, 3, opts, new Rng(1))).toThrow(/no row has a non-special token/);
  });
});
