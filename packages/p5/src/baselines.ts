/**
 * The baselines of P5's tables, ranking the same valid items as P5 does (a direct example's candidates, else
 * the catalogue without the user's history):
 *
 * - popularity: items by training interaction count (ties by catalogue order);
 * - BPR-MF (Rendle et al. 2009): score(u, i) = p_u · q_i + b_i, trained by SGD on −log σ(x_ui − x_uj) over
 *   observed (u, i) and an item j the user never interacted with, drawn uniformly; L2 on the touched rows.
 */
import { ConfigError, DataError, Rng } from '@xrec/core';
import type { Interaction } from '@xrec/data';
import type { RecExample } from './examples.js';

/** The items a baseline may rank for an example. */
export function validItems(ex: RecExample, catalogue: readonly string[]): readonly string[] {
  if (ex.candidates) return ex.candidates;
  const h = new Set(ex.history);
  return catalogue.filter((i) => !h.has(i));
}

/** Items best first by `score(item, index)`; ties keep the given order. */
export function sortByScore(items: readonly string[], score: (item: string, index: number) => number): string[] {
  return items
    .map((i, k) => [i, score(i, k), k] as const)
    .sort((a, b) => b[1] - a[1] || a[2] - b[2])
    .map(([i]) => i);
}

/** A popularity ranker from training interactions. */
export function popularityRanker(train: readonly Interaction[], catalogue: readonly string[]): (ex: RecExample) => string[] {
  const count = new Map<string, number>();
  for (const r of train) count.set(r.item, (count.get(r.item) ?? 0) + 1);
  return (ex) => sortByScore(validItems(ex, catalogue), (i) => count.get(i) ?? 0);
}

export interface BprConfig {
  readonly dim: number;
  readonly epochs: number;
  readonly lr: number;
  readonly reg: number;
  readonly seed: number;
}

export const DEFAULT_BPR_CONFIG: BprConfig = { dim: 32, epochs: 30, lr: 0.05, reg: 1e-4, seed: 0 };

export class BprMf {
  readonly config: BprConfig;
  private readonly users = new Map<string, number>();
  private readonly items = new Map<string, number>();
  private readonly P: Float32Array;
  private readonly Q: Float32Array;
  private readonly bias: Float32Array;

  /** Train on `rows` (implicit feedback: every row is a positive) over the item `catalogue`. */
  constructor(rows: readonly Interaction[], catalogue: readonly string[], config: Partial<BprConfig> = {}) {
    const c = { ...DEFAULT_BPR_CONFIG, ...config };
    for (const [k, v] of Object.entries(c)) if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigError(`BprMf: ${k} must be a finite number ≥ 0, got ${String(v)}`);
    if (!Number.isInteger(c.dim) || c.dim < 1 || !Number.isInteger(c.epochs)) throw new ConfigError('BprMf: dim and epochs must be integers, dim ≥ 1');
    this.config = c;
    catalogue.forEach((i, k) => this.items.set(i, k));
    for (const r of rows) {
      if (!this.items.has(r.item)) throw new DataError(`BprMf: item '${r.item}' of user '${r.user}' is not in the catalogue`);
      if (!this.users.has(r.user)) this.users.set(r.user, this.users.size);
    }
    const rng = new Rng(c.seed);
    const nI = catalogue.length;
    const d = c.dim;
    this.P = Float32Array.from({ length: this.users.size * d }, () => rng.normal() * 0.1);
    this.Q = Float32Array.from({ length: nI * d }, () => rng.normal() * 0.1);
    this.bias = new Float32Array(nI);
    const pairs = rows.map((r) => [this.users.get(r.user)!, this.items.get(r.item)!] as const);
    const seen = new Set(pairs.map(([u, i]) => u * nI + i));
    const { P, Q, bias } = this;
    for (let e = 0; e < c.epochs; e++) {
      for (const k of rng.shuffle(pairs.map((_, k) => k))) {
        const [u, i] = pairs[k]!;
        let j = rng.int(0, nI - 1);
        for (let tries = 0; seen.has(u * nI + j) && tries < 50; tries++) j = rng.int(0, nI - 1);
        if (seen.has(u * nI + j)) continue; // the user has interacted with (nearly) everything
        let x = bias[i]! - bias[j]!;
        for (let f = 0; f < d; f++) x += P[u * d + f]! * (Q[i * d + f]! - Q[j * d + f]!);
        const g = 1 / (1 + Math.exp(x)); // σ(−x) = −∂loss/∂x
        for (let f = 0; f < d; f++) {
          const pu = P[u * d + f]!;
          const qi = Q[i * d + f]!;
          const qj = Q[j * d + f]!;
          P[u * d + f] = pu + c.lr * (g * (qi - qj) - c.reg * pu);
          Q[i * d + f] = qi + c.lr * (g * pu - c.reg * qi);
          Q[j * d + f] = qj + c.lr * (-g * pu - c.reg * qj);
        }
        bias[i] = bias[i]! + c.lr * (g - c.reg * bias[i]!);
        bias[j] = bias[j]! + c.lr * (-g - c.reg * bias[j]!);
      }
    }
  }

  /** Score of (user, item); a user never seen in training gets the item bias only. */
  score(user: string, item: string): number {
    const i = this.items.get(item);
    if (i === undefined) throw new DataError(`BprMf.score: item '${item}' is not in the catalogue`);
    const u = this.users.get(user);
    let x = this.bias[i]!;
    if (u !== undefined) for (let f = 0; f < this.config.dim; f++) x += this.P[u * this.config.dim + f]! * this.Q[i * this.config.dim + f]!;
    return x;
  }

  /** A ranker over the valid items of each example. */
  ranker(catalogue: readonly string[]): (ex: RecExample) => string[] {
    return (ex) => sortByScore(validItems(ex, catalogue), (i) => this.score(ex.user, i));
  }
}
