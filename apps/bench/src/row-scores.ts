/**
 * Scores of dataset rows by row index, each computed once: a zero-shot score depends on its row alone, so the
 * rows that several seeds test (the cold-start task's test sets overlap) are scored for the first seed only.
 */
import { ShapeError } from '@xrec/core';

export class RowScores {
  private readonly known: Float64Array;

  /** `size`: the number of rows in the dataset (indices 0 … size − 1). */
  constructor(readonly size: number) {
    this.known = new Float64Array(size).fill(Number.NaN);
  }

  /**
   * The scores of `rows` (row indices) in order. `score` is called once, with the positions in `rows` of the
   * rows never scored before (not at all when there are none), and returns their scores in that order.
   */
  get(rows: readonly number[], score: (positions: readonly number[]) => ArrayLike<number>): { scores: Float64Array; scored: number } {
    const fresh: number[] = [];
    const queued = new Set<number>();
    rows.forEach((row, k) => {
      if (!(Number.isInteger(row) && row >= 0 && row < this.size)) throw new ShapeError(`RowScores: row ${row} (position ${k}) is outside 0 … ${this.size - 1}`);
      if (Number.isNaN(this.known[row]!) && !queued.has(row)) {
        queued.add(row);
        fresh.push(k);
      }
    });
    if (fresh.length > 0) {
      const s = score(fresh);
      if (s.length !== fresh.length) throw new ShapeError(`RowScores: asked for ${fresh.length} scores, got ${s.length}`);
      fresh.forEach((k, j) => (this.known[rows[k]!] = s[j]!));
    }
    return { scores: Float64Array.from(rows, (row) => this.known[row]!), scored: fresh.length };
  }
}
