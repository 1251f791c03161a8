/**
 * Masked-LM batches (Devlin et al. 2019) and their loss: of every window's non-special tokens, a fraction
 * `prob` (0.15) is chosen — at least one per row — and replaced by the mask token (80%), a random
 * non-special token (10%) or left as is (10%); only the chosen positions are scored, against the original
 * token. A batch's `tokens` is its number of scored positions, so data-parallel shards combine exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, DataError, type Rng } from '@xrec/core';
import type { TransformerLM } from './model.js';
import type { TrainBatch } from './train-types.js';

const IGNORE = -100;

export interface MlmBatch extends TrainBatch {
  /** `size` rows of `seq` input ids (masked), row-major. */
  readonly ids: Int32Array;
  /** `size` rows of `seq` labels: the original id at chosen positions, -100 elsewhere. */
  readonly labels: Int32Array;
  readonly seq: number;
  /** Scored (chosen) positions. */
  readonly tokens: number;
}

export interface MaskingOptions {
  readonly maskId: number;
  readonly vocabSize: number;
  /** Ids never chosen nor drawn as random replacements (bos, eos, pad, mask). */
  readonly special: readonly number[];
  /** Fraction of a row's non-special tokens chosen (default 0.15). */
  readonly prob?: number;
}

/**
 * Mask `rows` windows of `seq` ids taken from `windows` (row r starts at r·stride; stride ≥ seq, so the
 * causal-LM windows of seq + 1 ids can be passed as they are).
 */
export function maskWindows(windows: Int32Array, rows: number, stride: number, seq: number, o: MaskingOptions, rng: Rng): MlmBatch {
  const prob = o.prob ?? 0.15;
  if (!(prob > 0 && prob < 1)) throw new ConfigError(`maskWindows: prob must be in (0, 1), got ${prob}`);
  if (stride < seq || windows.length < rows * stride - (stride - seq)) throw new DataError(`maskWindows: ${windows.length} ids cannot hold ${rows} rows of ${seq} at stride ${stride}`);
  const special = new Set(o.special);
  special.add(o.maskId);
  if (special.size >= o.vocabSize) throw new ConfigError('maskWindows: every id is special; nothing to draw random replacements from');
  const ids = new Int32Array(rows * seq);
  const labels = new Int32Array(rows * seq).fill(IGNORE);
  let tokens = 0;
  for (let r = 0; r < rows; r++) {
    const row = windows.subarray(r * stride, r * stride + seq);
    ids.set(row, r * seq);
    const candidates: number[] = [];
    for (let j = 0; j < seq; j++) if (!special.has(row[j]!)) candidates.push(j);
    if (candidates.length === 0) continue;
    const chosen = candidates.filter(() => rng.float() < prob);
    if (chosen.length === 0) chosen.push(candidates[Math.floor(rng.float() * candidates.length)]!);
    for (const j of chosen) {
      const i = r * seq + j;
      labels[i] = row[j]!;
      const u = rng.float();
      if (u < 0.8) ids[i] = o.maskId;
      else if (u < 0.9) {
        let t: number;
        do t = Math.floor(rng.float() * o.vocabSize);
        while (special.has(t));
        ids[i] = t;
      }
    }
    tokens += chosen.length;
  }
  if (tokens === 0) throw new DataError('maskWindows: no row has a non-special token to mask');
  return { size: rows, ids, labels, seq, tokens };
}

/** Split a batch by rows into at most `parts` non-empty shards of near-equal size, in order. */
export function splitMlmBatch(b: MlmBatch, parts: number): MlmBatch[] {
  const n = Math.max(1, Math.min(parts, b.size));
  const out: MlmBatch[] = [];
  let start = 0;
  for (let p = 0; p < n; p++) {
    const rows = Math.floor(b.size / n) + (p < b.size % n ? 1 : 0);
    const ids = b.ids.slice(start * b.seq, (start + rows) * b.seq);
    const labels = b.labels.slice(start * b.seq, (start + rows) * b.seq);
    let tokens = 0;
    for (const l of labels) if (l !== IGNORE) tokens++;
    out.push({ size: rows, ids, labels, seq: b.seq, tokens }); // a shard without scored positions weighs 0
    start += rows;
  }
  return out;
}

/** Mean cross-entropy over the scored positions of a masked batch. `seed` reseeds dropout (resume-exact). */
export function mlmLoss(model: TransformerLM, b: MlmBatch, training: boolean, seed?: number): tf.Scalar {
  const ids = tf.tensor2d(b.ids, [b.size, b.seq], 'int32');
  const labels = tf.tensor2d(b.labels, [b.size, b.seq], 'int32');
  return model.loss({ ids, labels, training, ...(seed !== undefined ? { dropoutSeed: seed } : {}) });
}
