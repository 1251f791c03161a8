/** The rows of the cold-start task's datasets, in one shape: (user, item, click) with the pair's PromptRec prompt. */
import { findDataset, NotFoundError } from '@xrec/core';
import { loadCoupons, loadMovieLens100K } from '@xrec/data';
import { COUPON_SCHEMA, couponItemText, couponPrompt, couponSlots, MOVIELENS_SCHEMA, movieLensItemText, movieLensPrompt, movieLensSlots, schemaUserText, slotFeatures } from '@xrec/promptrec';

export type ColdStartDataset = 'ml-100k' | 'coupon';

/** One (user, item, click) row with its PromptRec prompt. */
export interface Row {
  readonly user: string;
  readonly item: string;
  readonly click: 0 | 1;
  prompt(tokens: { sep: string; mask?: string }): string;
  /** One-hot features of the pair's verbalizer slots (the profile baselines' input). */
  features(): string[];
  /** The user's and the item's own sentences (the profile-embedding cosine baseline's input). */
  texts(): { user: string; item: string };
}

export interface ColdStartData {
  readonly rows: readonly Row[];
  /** The items' own sentences (TPPT's domain keywords come from them). */
  readonly itemTexts: readonly string[];
}

const FOLDERS: Readonly<Record<ColdStartDataset, string>> = { 'ml-100k': 'movielens-100k', coupon: 'uci-in-vehicle-coupon' };

/** Whether the dataset's folder is in the data directory. */
export function hasColdStartData(dataset: ColdStartDataset, dataDir: string | undefined): boolean {
  return findDataset(FOLDERS[dataset], dataDir) !== undefined;
}

/** MovieLens-100K (all 100k ratings, click = rating ≥ 4) or the coupon data (click = Y). */
export function loadColdStartData(dataset: ColdStartDataset, dataDir: string | undefined): ColdStartData {
  const dir = findDataset(FOLDERS[dataset], dataDir);
  if (!dir) throw new NotFoundError(`bench task 'coldstart': ${FOLDERS[dataset]} not found in ${dataDir ?? 'the data directory'}${dataset === 'ml-100k' ? ' (xrec data import movielens-100k --from DIR)' : ''}`);
  if (dataset === 'ml-100k') {
    const ml = loadMovieLens100K(dir);
    const users = new Map(ml.users.map((u) => [u.user, u]));
    const items = new Map(ml.items.map((i) => [i.item, i]));
    const r = ml.ratings.toArray() as unknown as { user: string; item: string; rating: number }[];
    const rows = r.map((x): Row => {
      const u = users.get(String(x.user))!;
      const it = items.get(String(x.item))!;
      return {
        user: u.user,
        item: it.item,
        click: x.rating >= 4 ? 1 : 0,
        prompt: (t) => movieLensPrompt(u, it, t),
        features: () => slotFeatures(movieLensSlots(u, it)),
        texts: () => ({ user: schemaUserText(MOVIELENS_SCHEMA, u), item: movieLensItemText(it) }),
      };
    });
    return { rows, itemTexts: ml.items.map(movieLensItemText) };
  }
  const c = loadCoupons(dir);
  const rows = c.rows.map(
    (x): Row => ({
      user: x.user.id,
      item: x.item.id,
      click: x.click,
      prompt: (t) => couponPrompt(x.user, x.item, t),
      features: () => slotFeatures(couponSlots(x.user, x.item)),
      texts: () => ({ user: schemaUserText(COUPON_SCHEMA, x.user), item: couponItemText(x.item) }),
    }),
  );
  return { rows, itemTexts: c.items.map(couponItemText) };
}
