/**
 * Top-k with and without fair prompts for one user (UP5's use at inference: the user picks the attributes to
 * hide). One hidden attribute uses its prompt; several use the model's trained prompt mixture, or — for a model
 * saved without one — their prompts joined along the prefix axis ({@link concatPrefixes}), an untrained
 * combination. Beside the lists, each attribute's attacker gives its class probabilities for the
 * user's representation: without prompts the attacker trained on the P5's own representations; with prompts,
 * for a hidden attribute the attacker trained on representations under that attribute's prompt (the fresh
 * attacker of the evaluation), for the others again the first one.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '@xrec/core';
import type { RecExample } from '@xrec/p5';
import { concatPrefixes } from '@xrec/prompts';
import type { PrefixKV, T5Prefix } from '@xrec/transformer';
import type { Up5Model } from './save.js';
import type { FairPrefix } from './fair-prefix.js';
import { userRepresentations } from './user-representation.js';

export interface ScoredItem {
  readonly item: string;
  /** Log-likelihood of the item's target tokens under the model. */
  readonly score: number;
}

export interface FairRecommendation {
  readonly user: string;
  readonly hidden: readonly string[];
  /** Top-k of the frozen P5 alone. */
  readonly plain: readonly ScoredItem[];
  /** Top-k with the hidden attributes' prompts on (equal to `plain` when nothing is hidden). */
  readonly fair: readonly ScoredItem[];
  /** Per attribute: the attackers' class probabilities without and with the prompts. */
  readonly attacker: Readonly<Record<string, { readonly classes: number; readonly labels?: readonly string[]; readonly without: readonly number[]; readonly with: readonly number[] }>>;
}

/** The prompts of `hide` as one prefix (create inside a tidy). */
export function hiddenPrefix(model: Up5Model, hide: readonly string[]): T5Prefix | undefined {
  if (hide.length === 0) return undefined;
  if (model.mixture && hide.length > 1) return model.mixture.prefix(hide.map((a) => model.attributes.get(a)!.prompt));
  return concatenatedPrompts(hide.map((a) => model.attributes.get(a)!.prompt));
}

/** Prompts side by side: each attention's prefixes joined along the prefix axis, untrained (create inside a tidy). */
export function concatenatedPrompts(prompts: readonly FairPrefix[]): T5Prefix {
  const prefixes = prompts.map((p) => p.prefix());
  const join = (pick: (p: T5Prefix) => PrefixKV | undefined) => concatPrefixes(prefixes.map((p) => pick(p)!));
  return { encoder: join((p) => p.encoder), decoder: join((p) => p.decoder), cross: join((p) => p.cross) };
}

function topK(model: Up5Model, ex: RecExample, k: number, hide: readonly string[]): ScoredItem[] {
  return tf.tidy(() => {
    const items = model.rec.validItems(ex);
    const s = model.rec.scoreItems(ex, items, hiddenPrefix(model, hide));
    return items
      .map((item, i) => ({ item, score: s[i]!, i }))
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, k)
      .map(({ item, score }) => ({ item, score }));
  });
}

/** Top-`k` for `ex.user` with and without the prompts of `hide`, and every attacker's probabilities. */
export function fairRecommend(model: Up5Model, ex: RecExample, hide: readonly string[], k = 5): FairRecommendation {
  if (!Number.isInteger(k) || k < 1) throw new ConfigError(`fairRecommend: k must be a positive integer, got ${k}`);
  const unknown = hide.filter((a) => !model.attributes.has(a));
  if (unknown.length) throw new ConfigError(`fairRecommend: no prompt for attribute ${unknown.map((a) => `'${a}'`).join(', ')} (this model has: ${[...model.attributes.keys()].join(', ')})`);
  const hidden = [...new Set(hide)];
  const plain = topK(model, ex, k, []);
  const fair = hidden.length ? topK(model, ex, k, hidden) : plain;
  const attacker: Record<string, FairRecommendation['attacker'][string]> = {};
  tf.tidy(() => {
    const without = userRepresentations(model.rec, [ex]);
    const withP = hidden.length ? userRepresentations(model.rec, [ex], { prefix: hiddenPrefix(model, hidden)! }) : without;
    for (const [name, a] of model.attributes) {
      const fresh = hidden.includes(name) ? a.attackers.fair : a.attackers.unfair;
      attacker[name] = { classes: a.classes, ...(a.labels ? { labels: a.labels } : {}), without: a.attackers.unfair.probabilities(without)[0]!, with: fresh.probabilities(withP)[0]! };
    }
  });
  return { user: ex.user, hidden, plain, fair, attacker };
}
