/**
 * P5's yes/no direct task (template 5-1): "Will user_{u} likely to interact with item_{i} ?" answered ` yes`
 * for an item the user chose and ` no` for one they did not. Trained beside the candidate-list prompts (P5
 * trains a task family together); at test time each candidate is ranked by log p(yes | its prompt), as P5
 * ranks the 100 candidates with this template.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError, type Rng } from '@xrec/core';
import { sortByScore } from './baselines.js';
import type { RecExample } from './examples.js';
import type { P5Recommender } from './recommender.js';
import { p5BatchInput, p5Batches } from './batch.js';
import { encodeYesNoExamples } from './train.js';

export interface YesNoExample {
  readonly user: string;
  readonly item: string;
  readonly answer: 'yes' | 'no';
}

/**
 * Yes/no examples from direct examples: each gives its target as a `yes` and `negatives` of its other
 * candidates (items the user never chose, drawn without replacement, seeded) as `no`s.
 */
export function yesNoExamples(examples: readonly RecExample[], rng: Rng, negatives = 1): YesNoExample[] {
  if (!Number.isInteger(negatives) || negatives < 0) throw new ConfigError(`yesNoExamples: negatives must be a non-negative integer, got ${negatives}`);
  const out: YesNoExample[] = [];
  for (const ex of examples) {
    if (!ex.candidates || ex.candidates.length === 0) throw new ConfigError(`yesNoExamples: the example of user ${ex.user} has no candidates (yes/no examples come from direct examples)`);
    out.push({ user: ex.user, item: ex.target, answer: 'yes' });
    const others = ex.candidates.filter((c) => c !== ex.target);
    for (const item of rng.shuffle([...others]).slice(0, negatives)) out.push({ user: ex.user, item, answer: 'no' });
  }
  return out;
}

/**
 * log p(` yes` | the yes/no prompt about each item) for `ex.user` — the answer's pieces, teacher-forced, EOS
 * not counted — in batches of `batchSize` prompts. Default items: the example's valid items.
 */
export function scoreYesNo(rec: P5Recommender, ex: RecExample, items: readonly string[] = rec.validItems(ex), batchSize = 128): number[] {
  const yes = rec.answerTarget('yes').slice(0, -1);
  const out: number[] = [];
  for (let i = 0; i < items.length; i += batchSize) {
    const rows = encodeYesNoExamples(rec, items.slice(i, i + batchSize).map((item) => ({ user: ex.user, item, answer: 'yes' as const }))).map((r) => ({ ...r, target: yes }));
    const scores = tf.tidy(() => {
      const input = p5BatchInput(rec, p5Batches(rows, rows.length)[0]!);
      const B = rows.length;
      const T = yes.length;
      const dec = tf.tensor2d(rec.model.shiftRight(input.labels.dataSync(), B, T), [B, T], 'int32');
      const logp = tf.logSoftmax(rec.model.forward({ ...input, decoderInputIds: dec }));
      const picked = tf.sum(tf.mul(logp, tf.oneHot(input.labels, rec.model.config.vocabSize)), [1, 2]);
      return picked.dataSync();
    });
    out.push(...scores);
  }
  return out;
}

/** Items ordered by {@link scoreYesNo}, best first (ties keep the given order). */
export function rankByYesNo(rec: P5Recommender, ex: RecExample, items: readonly string[] = rec.validItems(ex)): string[] {
  const s = scoreYesNo(rec, ex, items);
  return sortByScore(items, (_, k) => s[k]!);
}
