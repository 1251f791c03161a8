/** The Fairness view's service: the model a `xrec bench fairness` run keeps (P5, fair prompts, attackers, users). */
import { loadFairnessModel, type FairnessModel } from '@xrec/bench';
import { isXrecError } from '@xrec/core';
import { HttpError } from '../errors.js';
import type { DatasetInfo, FairRequest, FairResponse, ItemsResponse, UsersResponse } from '../schemas.js';
import { searchIndex, type SearchEntry } from './search.js';

export class FairnessService {
  readonly id: string;
  private constructor(private readonly m: FairnessModel, private readonly users: readonly SearchEntry[], private readonly items: readonly SearchEntry[]) {
    this.id = m.dataset;
  }

  static async load(dir: string): Promise<FairnessService> {
    const m = await loadFairnessModel(dir);
    const users = [...m.users].map(([id, u]) => ({ id, interactions: u.history.length, attributes: u.attributes }));
    const counts = new Map<string, number>();
    for (const u of m.users.values()) for (const i of u.history) counts.set(i, (counts.get(i) ?? 0) + 1);
    const items = m.up5.rec.items.map((id) => ({ id, interactions: counts.get(id) ?? 0 }));
    return new FairnessService(m, users, items);
  }

  info(): DatasetInfo {
    return {
      id: this.id,
      view: 'fairness',
      name: this.id === 'ml-100k' ? 'MovieLens-100K (UP5, leave-one-out sequential)' : 'Insurance (UP5 sequential)',
      users: this.users.length,
      items: this.items.length,
      records: this.users.reduce((a, u) => a + u.interactions, 0),
      attributes: [...this.m.up5.attributes.values()].map((a) => ({ name: a.attribute, classes: a.classes })),
    };
  }

  searchUsers(query: string, limit: number): UsersResponse {
    return { dataset: this.id, ...searchIndex(this.users, query, limit, 'users') };
  }

  searchItems(query: string, limit: number, user?: string): ItemsResponse {
    return { dataset: this.id, ...searchIndex(this.items, query, limit, 'items', new Set(user === undefined ? [] : (this.m.users.get(user)?.history ?? []))) };
  }

  recommend(req: FairRequest): FairResponse {
    const unknown = req.hide.filter((a) => !this.m.up5.attributes.has(a));
    if (unknown.length) throw new HttpError(400, 'bad_request', `no fair prompt for ${unknown.map((a) => `'${a}'`).join(', ')} (trained: ${[...this.m.up5.attributes.keys()].join(', ')})`, 'body.hide');
    try {
      const r = this.m.recommend(req.user, req.hide, req.k ?? 5, req.history);
      return { dataset: this.id, user: r.user, history: [...r.history], hidden: [...r.hidden], plain: [...r.plain], fair: [...r.fair], attributes: { ...r.attributes }, attacker: Object.fromEntries(Object.entries(r.attacker).map(([a, p]) => [a, { classes: p.classes, without: [...p.without], with: [...p.with] }])) };
    } catch (e) {
      if (isXrecError(e) && e.code === 'XREC_NOT_FOUND') throw new HttpError(404, 'not_found', e.message, req.history && !this.m.users.has(req.user) ? 'body.history' : 'body.user');
      throw e;
    }
  }

  /** Some users, for the load check and tests. */
  sampleUsers(n: number): string[] {
    return this.users.slice(0, n).map((u) => u.id);
  }

  dispose(): void {
    this.m.dispose();
  }
}
