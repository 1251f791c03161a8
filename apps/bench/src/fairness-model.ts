/**
 * The model a `fairness` bench run leaves in its output folder — the frozen P5, the fair prompts and attackers
 * (`loadUp5Model`) and `users.json` (each attacker user's purchase history and attribute classes) — loaded for
 * `xrec up5 recommend` and the playground.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, NotFoundError } from '@xrec/core';
import type { RecExample } from '@xrec/p5';
import { fairRecommend, loadUp5Model, type FairRecommendation, type Up5Model } from '@xrec/up5';

export interface FairnessUser {
  readonly history: readonly string[];
  /** Known attribute classes of the user (from the attacker splits). */
  readonly attributes: Readonly<Record<string, number>>;
}

export interface FairnessModel {
  readonly dir: string;
  /** The run's dataset (`insurance` or `ml-100k`). */
  readonly dataset: string;
  readonly up5: Up5Model;
  readonly users: ReadonlyMap<string, FairnessUser>;
  /** Top-k with and without the prompts of `hide` for a known user (or any user with `history`). */
  recommend(user: string, hide: readonly string[], k: number, history?: readonly string[]): FairRecommendation & { readonly history: readonly string[]; readonly attributes: Readonly<Record<string, number>> };
  dispose(): void;
}

export async function loadFairnessModel(dir: string): Promise<FairnessModel> {
  const usersPath = join(dir, 'users.json');
  if (!existsSync(usersPath)) throw new CheckpointError(`${usersPath} not found: ${dir} is not the output of \`xrec bench fairness\``);
  let raw: { format?: string; dataset?: string; users?: Record<string, FairnessUser> };
  try {
    raw = JSON.parse(readFileSync(usersPath, 'utf8')) as typeof raw;
  } catch (e) {
    throw new CheckpointError(`${usersPath}: ${(e as Error).message}`, { cause: e });
  }
  if (raw.format !== 'xrec-up5-users' || typeof raw.users !== 'object') throw new CheckpointError(`${usersPath} is not an xrec fairness users file`);
  const users = new Map(Object.entries(raw.users));
  const up5 = await loadUp5Model(dir);
  const catalogue = new Set(up5.rec.items);
  return {
    dir,
    dataset: raw.dataset ?? 'insurance',
    up5,
    users,
    recommend(user, hide, k, history) {
      const known = users.get(user);
      if (!known && !history) throw new NotFoundError(`user '${user}' is not among the ${users.size} users of ${dir} (give a purchase history to score a new user)`);
      const unknown = (history ?? []).filter((i) => !catalogue.has(i));
      if (unknown.length) throw new NotFoundError(`unknown item${unknown.length > 1 ? 's' : ''} ${unknown.map((i) => `'${i}'`).join(', ')} in the history (the catalogue has ${catalogue.size} items)`);
      const ex: RecExample = { user, history: [...(history ?? known!.history)], target: '' };
      return { ...fairRecommend(up5, ex, hide, k), history: ex.history, attributes: known?.attributes ?? {} };
    },
    dispose: () => up5.dispose(),
  };
}
