/**
 * ML-100K rows as PromptRec prompts. The masked-LM template (the paper's):
 *
 *   The {gender} is a {age} {occupation} {area}. The {title} is categorized as a {categories} movie {kid} .
 *   [SEP] The user is that {gender}, and the item is that movie. In short, the user feels [MASK] about the item.
 *
 * For a causal LM the suffix is "In short, the user's attitude towards the item is" and the next token is
 * scored. `area` ("living in <state>"), `categories` and `kid` are optional slots.
 */
import type { MovieLensItem, MovieLensUser } from '@xrec/data';
import { renderTemplate } from './template.js';
import { stateOfZip } from './zip-states.js';
import { ageWord, genderWord, genreSlots, movieTitle, occupationWord } from './verbalizer.js';

export const MOVIELENS_USER = 'The {gender} is a {age} {occupation} {area}.';
export const MOVIELENS_ITEM = 'The {title} is categorized as a {categories} movie {kid} .';
export const MOVIELENS_BRIDGE = 'The user is that {gender}, and the item is that movie.';
export const MASKED_SUFFIX = 'In short, the user feels {mask} about the item.';
export const CAUSAL_SUFFIX = "In short, the user's attitude towards the item is";

const OPTIONAL = new Set(['area', 'categories', 'kid']);

/** The slot values of one (user, item) pair. */
export function movieLensSlots(u: MovieLensUser, it: MovieLensItem): Record<string, string | undefined> {
  const state = stateOfZip(u.zip);
  return {
    gender: genderWord(u.gender),
    age: ageWord(u.age),
    occupation: occupationWord(u.occupation),
    area: state ? `living in ${state}` : undefined,
    title: movieTitle(it.title),
    ...genreSlots(it.genres),
  };
}

/**
 * The prompt of a pair: `sep` joins profile and question ([SEP], or the tokenizer's end-of-text for a causal
 * LM); `mask` is the masked-LM mask token, or undefined for a causal LM (which continues the causal suffix).
 */
export function movieLensPrompt(u: MovieLensUser, it: MovieLensItem, tokens: { sep: string; mask?: string }): string {
  const s = movieLensSlots(u, it);
  const profile = `${renderTemplate(MOVIELENS_USER, s, OPTIONAL)} ${renderTemplate(MOVIELENS_ITEM, s, OPTIONAL)}`;
  const question = `${renderTemplate(MOVIELENS_BRIDGE, s, OPTIONAL)} ${tokens.mask !== undefined ? renderTemplate(MASKED_SUFFIX, { mask: tokens.mask }) : CAUSAL_SUFFIX}`;
  return `${profile} ${tokens.sep} ${question}`;
}

/** A movie's own sentence (the item half of the template): TPPT's domain keywords come from these. */
export function movieLensItemText(it: MovieLensItem): string {
  return renderTemplate(MOVIELENS_ITEM, { title: movieTitle(it.title), ...genreSlots(it.genres) }, OPTIONAL);
}
