/**
 * The retrieval baseline: for a (user, item) pair, return a training explanation of that item — the one
 * about the item's feature that the user mentions most in training; when the user mentions none of the
 * item's features, the item's most common training explanation. No learning, no generation: a floor any
 * generator of personalised explanations should clear.
 */
import { NotFoundError } from '@xrec/core';

export interface RetrievalRecord {
  readonly user: string;
  readonly item: string;
  readonly feature: string;
  readonly sentence: string;
}

export class RetrievalBaseline {
  private readonly userFeatures = new Map<string, Map<string, number>>();
  /** item -> feature -> sentence -> count (insertion order breaks ties: first seen wins). */
  private readonly itemSentences = new Map<string, Map<string, Map<string, number>>>();

  constructor(training: Iterable<RetrievalRecord>) {
    for (const r of training) {
      const uf = getOr(this.userFeatures, r.user, () => new Map<string, number>());
      if (r.feature !== '') uf.set(r.feature, (uf.get(r.feature) ?? 0) + 1);
      const byFeature = getOr(this.itemSentences, r.item, () => new Map<string, Map<string, number>>());
      const sentences = getOr(byFeature, r.feature, () => new Map<string, number>());
      sentences.set(r.sentence, (sentences.get(r.sentence) ?? 0) + 1);
    }
  }

  /** The retrieved explanation of a pair; NotFoundError for an item without training explanations. */
  explain(user: string, item: string): string {
    const byFeature = this.itemSentences.get(item);
    if (!byFeature) throw new NotFoundError(`retrieval baseline: item '${item}' has no training explanation`);
    const uf = this.userFeatures.get(user);
    let best: string | undefined;
    let bestCount = 0;
    if (uf) {
      for (const f of byFeature.keys()) {
        const c = uf.get(f) ?? 0;
        if (c > bestCount) {
          best = f;
          bestCount = c;
        }
      }
    }
    const pool = best !== undefined ? byFeature.get(best)! : mergeCounts(byFeature.values());
    return mostCommon(pool);
  }
}

function getOr<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}

function mergeCounts(maps: Iterable<Map<string, number>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of maps) for (const [s, c] of m) out.set(s, (out.get(s) ?? 0) + c);
  return out;
}

function mostCommon(m: Map<string, number>): string {
  let best = '';
  let bestCount = -1;
  for (const [s, c] of m) {
    if (c > bestCount) {
      best = s;
      bestCount = c;
    }
  }
  return best;
}
