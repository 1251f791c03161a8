/** Substring search over ids (and titles) for the users/items endpoints: exact id first, then by interactions. */
export interface SearchEntry {
  readonly id: string;
  readonly title?: string;
  readonly interactions: number;
  readonly attributes?: Readonly<Record<string, number>>;
}

/** `first`: ids to list before the others (e.g. the items of the chosen user). */
export function searchIndex<K extends string>(entries: readonly SearchEntry[], query: string, limit: number, key: K, first: ReadonlySet<string> = new Set()): { total: number } & Record<K, SearchEntry[]> {
  const q = query.trim().toLowerCase();
  const hits = q === '' ? [...entries] : entries.filter((e) => e.id.toLowerCase().includes(q) || (e.title?.toLowerCase().includes(q) ?? false));
  hits.sort((a, b) => Number(b.id.toLowerCase() === q) - Number(a.id.toLowerCase() === q) || Number(first.has(b.id)) - Number(first.has(a.id)) || b.interactions - a.interactions || a.id.localeCompare(b.id));
  return { total: hits.length, [key]: hits.slice(0, limit) } as { total: number } & Record<K, SearchEntry[]>;
}
