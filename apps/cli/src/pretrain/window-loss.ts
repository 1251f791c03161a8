/** Mean next-token loss of a model over fixed windows of `seq + 1` tokens (no dropout), batch by batch. */
import * as tf from '@tensorflow/tfjs';
import type { TransformerLM } from '@xrec/transformer';
import { lmLoss, type LmBatch } from '@xrec/transformer';

/** Mean loss over `w.size` windows of `seq + 1` ids (row-major), and the number of scored tokens. */
export async function windowLoss(model: TransformerLM, w: { ids: Int32Array; size: number }, seq: number, batch = 16): Promise<{ loss: number; tokens: number }> {
  let sum = 0;
  let n = 0;
  const T1 = seq + 1;
  for (let r = 0; r < w.size; r += batch) {
    const rows = Math.min(batch, w.size - r);
    const b: LmBatch = { size: rows, tokens: rows * seq, seq, ids: w.ids.subarray(r * T1, (r + rows) * T1) };
    const l = tf.tidy(() => lmLoss(model, b, false));
    sum += (await l.data())[0]! * rows * seq;
    n += rows * seq;
    l.dispose();
  }
  return { loss: n > 0 ? sum / n : Number.NaN, tokens: n };
}
