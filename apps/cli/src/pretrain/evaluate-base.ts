/**
 * The evaluation behind a base model's card (models/xrec-base/README.md):
 *
 * - held-out loss and perplexity per corpus source (the every-100th documents never trained on), beside a
 *   unigram model of the same tokenizer fitted on the training documents (add-one smoothing);
 * - zero-shot transfer: per-word perplexity on the bundled dataset's test explanations, against base model
 *   (a) — the small LM the bench pre-trains on that dataset's own training split. Token perplexities of
 *   different tokenizers are not comparable, so both are normalised by the same whitespace word count;
 * - greedy and sampled continuations of fixed review openings.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { silentProgress, type Progress } from '@xrec/core';
import { loadExplanationDataset } from '@xrec/data';
import type { Tokenizer } from '@xrec/tokenizer';
import { TransformerLM } from '@xrec/transformer';
import { PROFILES, prepareSplit } from '@xrec/bench';

import { fixedWindows } from './corpus-tokens.js';
import { readHeldOut } from './held-out.js';
import { windowLoss } from './window-loss.js';

export const OPENINGS = [
  'The battery',
  'I bought this for my',
  'The sound quality',
  'This movie',
  'The hotel room',
  'Great price and',
  'The food was',
  'I would not recommend',
  'After two weeks of use,',
  'The strings',
] as const;

export interface SourceEval {
  readonly source: string;
  readonly valDocuments: number;
  readonly tokens: number;
  readonly loss: number;
  readonly perplexity: number;
  readonly unigramLoss: number;
  readonly unigramPerplexity: number;
}

export interface ZeroShotEval {
  readonly dataset: string;
  readonly sentences: number;
  readonly words: number;
  readonly base: { readonly tokens: number; readonly nll: number; readonly wordPerplexity: number; readonly tokenPerplexity: number };
  readonly splitLm: { readonly tokens: number; readonly nll: number; readonly wordPerplexity: number; readonly tokenPerplexity: number; readonly parameters: number };
}

export interface BaseEvaluation {
  readonly sources: SourceEval[];
  readonly zeroShot?: ZeroShotEval;
  readonly continuations: { readonly prompt: string; readonly greedy: string; readonly sampled: string }[];
}

/** Summed NLL of `<bos> text <eos>` over texts (every token after <bos> scored). */
export async function textNll(model: TransformerLM, tok: Tokenizer, texts: readonly string[], batch = 32): Promise<{ nll: number; tokens: number }> {
  const bos = tok.bosId!;
  const eos = tok.eosId!;
  const pad = tok.padId ?? eos;
  const seqs = texts.map((t) => [bos, ...tok.encode(t).slice(0, model.config.contextLength - 2), eos]);
  let nll = 0;
  let tokens = 0;
  for (let s = 0; s < seqs.length; s += batch) {
    const rows = seqs.slice(s, s + batch);
    const T = Math.max(...rows.map((r) => r.length)) - 1;
    const ids = new Int32Array(rows.length * T).fill(pad);
    const labels = new Int32Array(rows.length * T).fill(-100);
    let count = 0;
    rows.forEach((r, b) => {
      for (let t = 0; t + 1 < r.length; t++) {
        ids[b * T + t] = r[t]!;
        labels[b * T + t] = r[t + 1]!;
        count++;
      }
    });
    const l = tf.tidy(() => model.loss({ ids: tf.tensor2d(ids, [rows.length, T], 'int32'), labels: tf.tensor2d(labels, [rows.length, T], 'int32') }));
    nll += (await l.data())[0]! * count;
    tokens += count;
    l.dispose();
  }
  return { nll, tokens };
}

const wordsOf = (t: string): number => t.split(/\s+/).filter((w) => w !== '').length;

/** Evaluate a base model (see the file header). `windows` caps the held-out windows per source. */
export async function evaluateBase(
  model: TransformerLM,
  tok: Tokenizer,
  o: { corpus: string; windows: number; zeroShot: boolean; progress?: Progress },
): Promise<BaseEvaluation> {
  const progress = o.progress ?? silentProgress;
  const seq = model.config.contextLength;
  // unigram counts over the training documents (add-one smoothing over the vocabulary)
  const { counts, sources: val } = await readHeldOut(tok, o.corpus, progress, { countEos: true });
  const bos = tok.bosId!;
  const eos = tok.eosId!;
  const total = counts.reduce((a, b) => a + b, 0) + tok.vocabSize;
  const logp = (id: number): number => Math.log((counts[id]! + 1) / total);
  const out: SourceEval[] = [];
  for (const v of val) {
    const stream = Uint16Array.from(v.stream);
    const w = fixedWindows(stream, seq, o.windows);
    const { loss, tokens } = await windowLoss(model, w, seq);
    // the unigram model scores exactly the tokens the LM scored: positions 1..seq of every window
    let uni = 0;
    for (let r = 0; r < w.size; r++) for (let j = 1; j <= seq; j++) uni -= logp(w.ids[r * (seq + 1) + j]!);
    const unigramLoss = uni / Math.max(1, tokens);
    out.push({ source: v.name, valDocuments: v.docs, tokens, loss, perplexity: Math.exp(loss), unigramLoss, unigramPerplexity: Math.exp(unigramLoss) });
    progress.log(`model card: ${v.name}: loss ${loss.toFixed(3)} (ppl ${Math.exp(loss).toFixed(1)}), unigram ${unigramLoss.toFixed(3)}`);
  }

  let zeroShot: ZeroShotEval | undefined;
  if (o.zeroShot) {
    const ds = await loadExplanationDataset('default');
    const split = ds.splits[0]!;
    const texts = Array.from(split.test, (r) => ds.records[r]!.sentence);
    const words = texts.reduce((a, t) => a + wordsOf(t), 0);
    const base = await textNll(model, tok, texts);
    // base model (a): the bench's quick-profile LM pre-trained on split 1's training text
    const work = mkdtempSync(join(tmpdir(), 'xrec-card-'));
    const ctx = await prepareSplit(ds, 1, PROFILES.quick, work, true, progress);
    const lmA = await TransformerLM.load(ctx.baseDir);
    const a = await textNll(lmA, ctx.tokenizer, texts);
    const paramsA = lmA.numParameters();
    lmA.dispose();
    zeroShot = {
      dataset: `${ds.name} (split 1 test explanations)`,
      sentences: texts.length,
      words,
      base: { tokens: base.tokens, nll: base.nll, wordPerplexity: Math.exp(base.nll / words), tokenPerplexity: Math.exp(base.nll / base.tokens) },
      splitLm: { tokens: a.tokens, nll: a.nll, wordPerplexity: Math.exp(a.nll / words), tokenPerplexity: Math.exp(a.nll / a.tokens), parameters: paramsA },
    };
  }

  const continuations = OPENINGS.map((prompt) => {
    const ids = [bos, ...tok.encode(prompt)];
    const [g] = model.generate({ prompts: [ids], maxNewTokens: 32, eosId: eos, greedy: true });
    const [s] = model.generate({ prompts: [ids], maxNewTokens: 32, eosId: eos, temperature: 0.8, topK: 40, seed: 1 });
    return { prompt, greedy: tok.decode(g!, { skipSpecialTokens: true }), sampled: tok.decode(s!, { skipSpecialTokens: true }) };
  });
  return { sources: out, ...(zeroShot ? { zeroShot } : {}), continuations };
}
