/**
 * PEPLER-D's discrete prompt (discrete.py, utils.py Batchify2): the features a user mentioned in training and
 * the features an item was described by, those shared by both first, then the rest, joined by spaces and
 * cut to a token budget.
 *
 * Deliberate differences from the reference (see README): the reference orders each group in Python set
 * order (arbitrary) and, through operator precedence (`u | i - both`), repeats the shared features after the
 * union; xrec orders each group by training frequency (user count + item count, then alphabetically) and
 * lists every feature once.
 */

/** Training feature counts per user and per item. */
export class FeatureProfiles {
  private readonly byUser = new Map<string, Map<string, number>>();
  private readonly byItem = new Map<string, Map<string, number>>();

  static fromRecords(records: Iterable<{ user: string; item: string; feature: string }>): FeatureProfiles {
    const p = new FeatureProfiles();
    for (const r of records) p.add(r.user, r.item, r.feature);
    return p;
  }

  add(user: string, item: string, feature: string): void {
    if (feature === '') return;
    bump(this.byUser, user, feature);
    bump(this.byItem, item, feature);
  }

  userFeatures(user: string): ReadonlyMap<string, number> {
    return this.byUser.get(user) ?? new Map();
  }

  itemFeatures(item: string): ReadonlyMap<string, number> {
    return this.byItem.get(item) ?? new Map();
  }

  /** Ordered prompt features of a pair: shared first, then the rest; each group by count desc, then name. */
  promptFeatures(user: string, item: string): string[] {
    const u = this.userFeatures(user);
    const i = this.itemFeatures(item);
    const score = (f: string): number => (u.get(f) ?? 0) + (i.get(f) ?? 0);
    const order = (a: string, b: string): number => score(b) - score(a) || (a < b ? -1 : a > b ? 1 : 0);
    const shared = [...u.keys()].filter((f) => i.has(f)).sort(order);
    const sharedSet = new Set(shared);
    const rest = [...new Set([...u.keys(), ...i.keys()])].filter((f) => !sharedSet.has(f)).sort(order);
    return [...shared, ...rest];
  }

  /** Plain JSON form for saving. */
  toJSON(): { users: Record<string, Record<string, number>>; items: Record<string, Record<string, number>> } {
    const conv = (m: Map<string, Map<string, number>>): Record<string, Record<string, number>> =>
      Object.fromEntries([...m].map(([k, v]) => [k, Object.fromEntries(v)]));
    return { users: conv(this.byUser), items: conv(this.byItem) };
  }

  static fromJSON(j: { users: Record<string, Record<string, number>>; items: Record<string, Record<string, number>> }): FeatureProfiles {
    const p = new FeatureProfiles();
    const load = (dst: Map<string, Map<string, number>>, src: Record<string, Record<string, number>>): void => {
      for (const [k, v] of Object.entries(src)) dst.set(k, new Map(Object.entries(v)));
    };
    load(p.byUser, j.users);
    load(p.byItem, j.items);
    return p;
  }
}

function bump(m: Map<string, Map<string, number>>, key: string, feature: string): void {
  let inner = m.get(key);
  if (!inner) {
    inner = new Map();
    m.set(key, inner);
  }
  inner.set(feature, (inner.get(feature) ?? 0) + 1);
}
