/**
 * The plain contracts between recommendation methods and evaluation protocols (no tensors): what a method
 * offers, and what `@xrec/metrics`' protocols call. A method implements the ones it can.
 */

/** Generates a natural-language explanation for recommending `item` to `user` (PEPLER, retrieval, ...). */
export interface Explainer {
  explain(user: string, item: string): Promise<string>;
}

/** Scores candidate items for a user; higher = more recommended (P5, PromptRec, matrix factorisation, ...). */
export interface Scorer {
  scoreCandidates(user: string, items: readonly string[]): Promise<ArrayLike<number>> | ArrayLike<number>;
}

/** Predicts the rating `user` would give `item` (PEPLER-MF/MLP, matrix factorisation, ...). */
export interface RatingPredictor {
  predictRating(user: string, item: string): number;
}

/** One ranking case of an evaluation protocol: a user, the items to rank, and which of them are relevant. */
export interface RankingCase {
  readonly user: string;
  readonly candidates: readonly string[];
  readonly relevant: readonly string[];
}
