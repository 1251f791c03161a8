/**
 * The evaluation behind a masked-LM base model's card (models/xrec-base-mlm/README.md): held-out masked-LM
 * loss per corpus source (the same masks as pre-training's validation: 15% of the tokens of fixed windows)
 * beside a unigram model of the same tokenizer scoring the same masked tokens, top-1 accuracy at the masks,
 * and fill-mask examples (the five most likely tokens at `<mask>` in review sentences).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, silentProgress, type Progress } from '@xrec/core';
import type { Tokenizer } from '@xrec/tokenizer';
import { maskWindows, mlmLoss, tokenLogits, type TransformerLM } from '@xrec/transformer';
import { fixedWindows } from './corpus-tokens.js';
import { readHeldOut } from './held-out.js';
import type { SourceEval } from './evaluate-base.js';
import { maskingOf } from './objective.js';

export const FILL_MASK_SENTENCES = [
  'The food was <mask>.',
  'The battery <mask> for two days.',
  'This movie is a <mask> of time.',
  'I would <mask> recommend this product.',
  'The hotel room was clean and <mask>.',
  'The sound quality is <mask> for the price.',
  'The strings <mask> out of tune after a week.',
  'She <mask> the book in one night.',
] as const;

export interface FillMask {
  readonly sentence: string;
  readonly top: readonly { readonly token: string; readonly p: number }[];
}

export interface MlmEvaluation {
  readonly objective: 'mlm';
  readonly sources: readonly (SourceEval & { readonly accuracy: number })[];
  readonly fillMask: readonly FillMask[];
}

/** Top-k tokens (decoded, trimmed) and probabilities at the one `<mask>` of each sentence. */
export function fillMask(model: TransformerLM, tok: Tokenizer, sentences: readonly string[], k = 5): FillMask[] {
  const all = Array.from({ length: tok.vocabSize }, (_, i) => i);
  return sentences.map((sentence) => {
    const ids = tok.encode(sentence, { allowSpecial: true });
    const at = ids.indexOf(tok.maskId!);
    const z = tokenLogits(model, [ids], [at], all);
    const p = tf.tidy(() => tf.softmax(z).dataSync() as Float32Array);
    z.dispose();
    const specials = new Set(Object.values(tok.specialTokens));
    const top = all
      .filter((i) => !specials.has(i))
      .sort((a, b) => p[b]! - p[a]!)
      .slice(0, k)
      .map((i) => ({ token: tok.decode([i]).trim(), p: p[i]! }));
    return { sentence, top };
  });
}

/** Evaluate a masked-LM base model (see the file header). `windows` caps the held-out windows per source. */
export async function evaluateMlm(model: TransformerLM, tok: Tokenizer, o: { corpus: string; windows: number; progress?: Progress }): Promise<MlmEvaluation> {
  const progress = o.progress ?? silentProgress;
  const seq = model.config.contextLength;
  const masking = maskingOf(tok);
  const { counts, sources: val } = await readHeldOut(tok, o.corpus, progress, { countEos: false });
  const total = counts.reduce((a, b) => a + b, 0) + tok.vocabSize;
  const out: (SourceEval & { accuracy: number })[] = [];
  const vocab = Array.from({ length: tok.vocabSize }, (_, i) => i);
  for (const v of val) {
    const w = fixedWindows(Uint16Array.from(v.stream), seq, o.windows);
    let nll = 0;
    let uni = 0;
    let hits = 0;
    let n = 0;
    for (let r = 0; r < w.size; r += 16) {
      const rows = Math.min(16, w.size - r);
      // the masks of pre-training's validation (objective.ts: maskedWindowLoss)
      const b = maskWindows(w.ids.subarray(r * (seq + 1), (r + rows) * (seq + 1)), rows, seq + 1, seq, masking, new Rng(0).fork(`held-out:${r}`));
      const l = tf.tidy(() => mlmLoss(model, b, false));
      nll += (await l.data())[0]! * b.tokens;
      l.dispose();
      const at: number[] = [];
      const labels: number[] = [];
      b.labels.forEach((lab, i) => {
        if (lab === -100) return;
        at.push(i);
        labels.push(lab);
        uni -= Math.log((counts[lab]! + 1) / total);
      });
      const best = tf.tidy(() => {
        const h = tf.reshape(model.hiddenStates({ ids: tf.tensor2d(b.ids, [rows, seq], 'int32') }), [rows * seq, model.config.dModel]) as tf.Tensor2D;
        return tf.argMax(model.logitsFor(tf.gather(h, tf.tensor1d(at, 'int32')) as tf.Tensor2D, vocab), 1).dataSync();
      });
      labels.forEach((lab, i) => (hits += best[i] === lab ? 1 : 0));
      n += b.tokens;
    }
    const loss = nll / Math.max(1, n);
    const unigramLoss = uni / Math.max(1, n);
    out.push({ source: v.name, valDocuments: v.docs, tokens: n, loss, perplexity: Math.exp(loss), unigramLoss, unigramPerplexity: Math.exp(unigramLoss), accuracy: hits / Math.max(1, n) });
    progress.log(`model card: ${v.name}: masked-LM loss ${loss.toFixed(3)}, unigram ${unigramLoss.toFixed(3)}, top-1 ${((100 * hits) / Math.max(1, n)).toFixed(1)}%`);
  }
  return { objective: 'mlm', sources: out, fillMask: fillMask(model, tok, FILL_MASK_SENTENCES) };
}
