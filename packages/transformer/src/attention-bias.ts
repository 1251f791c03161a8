/**
 * Fixed distance biases added to attention scores (`TransformerConfig.positionBias`). `alibi` (Press et al.
 * 2022, "Train Short, Test Long"): head h of H adds −m_h·|i − j| with m_h = 2^(−8h/H), h = 1..H (for H not a
 * power of two, the paper's interleaving of the next power's slopes). Symmetric, for bidirectional encoders:
 * some heads look only a few tokens away, others almost uniformly, so a masked position sees its neighbours
 * from the first update instead of an average of the window. Direction still comes from the position embeddings.
 */
import type { TransformerConfig } from './config.js';

function powerOfTwoSlopes(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 2 ** ((-8 * (i + 1)) / n));
}

/** ALiBi's per-head slopes m_1..m_H (head order). */
export function alibiSlopes(nHeads: number): number[] {
  const p = 2 ** Math.floor(Math.log2(nHeads));
  if (p === nHeads) return powerOfTwoSlopes(nHeads);
  const extra = powerOfTwoSlopes(2 * p).filter((_, i) => i % 2 === 0);
  return [...powerOfTwoSlopes(p), ...extra.slice(0, nHeads - p)];
}

/**
 * The bias of head h between query position qi and key position kj, both counted over the real tokens (keys
 * before `prefix` are prompt / prefix slots and get none), or undefined when the config has no bias.
 */
export function distanceBias(c: TransformerConfig): ((h: number, qi: number, kj: number) => number) | undefined {
  if (c.positionBias === 'none') return undefined;
  const m = alibiSlopes(c.nHeads);
  return (h, qi, kj) => (qi === kj ? 0 : -m[h]! * Math.abs(qi - kj));
}
