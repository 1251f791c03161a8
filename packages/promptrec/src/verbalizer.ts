/**
 * PromptRec's MovieLens verbalizer (datautils/movielens.py and core/verbalizers.py of JacksonWuxs/PromptRec):
 * profile fields become words.
 *
 * The reference builds the genre words from the wrong columns of u.item (`zip(features, categories)` starts at
 * the movie id, not at the Action flag): here the intended mapping is implemented, each genre flag of u.item
 * to its word. `romatic` is the reference's spelling of romantic; it is kept so prompts match the paper's.
 */

/** Age buckets: ≤13 childhood, ≤20 teenage, ≤35 young, ≤65 middle aged, else old (bisect_left on [13, 20, 35, 65]). */
export function ageWord(age: number): string {
  const cuts = [13, 20, 35, 65];
  const words = ['childhood', 'teenage', 'young', 'middle aged', 'old'];
  let i = 0;
  while (i < cuts.length && age > cuts[i]!) i++;
  return words[i]!;
}

export function genderWord(g: string): string | undefined {
  return g === 'M' ? 'man' : g === 'F' ? 'woman' : undefined;
}

/** Occupation lower-cased; `other` and `none` become `freelance` (the reference's occupation map). */
export function occupationWord(o: string): string {
  const v = o.toLowerCase();
  return v === 'other' || v === 'none' ? 'freelance' : v;
}

/** "Toy Story (1995)" → "Toy Story"; a trailing ", The" and a leading "The" are dropped. */
export function movieTitle(title: string): string {
  if (title === 'unknown') return title;
  let t = /\(\d{4}\)$/.test(title) ? title.slice(0, -7) : title;
  if (t.endsWith(', The')) t = t.slice(0, -5);
  if (t.startsWith('The')) t = t.slice(3).trim();
  return t;
}

/** ML-100K genre → word (the reference's list, in u.genre order after `unknown`). */
export const GENRE_WORDS: Readonly<Record<string, string>> = {
  Action: 'action', Adventure: 'adventure', Animation: 'animated', "Children's": 'kid', Comedy: 'comedy', Crime: 'criminal',
  Documentary: 'documentary', Drama: 'dramatic', Fantasy: 'fantasy', 'Film-Noir': 'dark', Horror: 'horrible', Musical: 'musical',
  Mystery: 'mystical', Romance: 'romatic', 'Sci-Fi': 'scientific', Thriller: 'horrible', War: 'war', Western: 'western',
};

/** "a", "a and b", "a, b, and c" (the reference's Nominal combine). */
export function joinWords(words: readonly string[]): string | undefined {
  if (words.length === 0) return undefined;
  if (words.length === 1) return words[0];
  if (words.length === 2) return `${words[0]} and ${words[1]}`;
  return `${words.slice(0, -1).join(', ')}, and ${words.at(-1)}`;
}

/** Genre words of a movie and whether it is for children (Children's sets the `kid` slot instead of a word). */
export function genreSlots(genres: readonly string[]): { categories: string | undefined; kid: string | undefined } {
  const words = genres.map((g) => GENRE_WORDS[g]).filter((w): w is string => w !== undefined);
  const forChildren = words.includes('kid');
  return { categories: joinWords(words.filter((w) => w !== 'kid')), kid: forChildren ? 'for children' : undefined };
}
