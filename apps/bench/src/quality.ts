/**
 * Quality checks of generated explanations beyond @xrec/metrics: degenerate repetition, and metrics split by
 * item popularity and user activity (the survey's popularity-bias question: do popular items get better
 * explanations?).
 */
import { explanationMetrics, type ExplanationMetrics, type ExplanationRow } from '@xrec/metrics';

/** True when one whitespace-separated token occurs `run` or more times in a row (e.g. "the the the the"). */
export function hasRepeatedRun(text: string, run = 4): boolean {
  const toks = text.split(/\s+/).filter((t) => t !== '');
  let n = 1;
  for (let i = 1; i < toks.length; i++) {
    n = toks[i] === toks[i - 1] ? n + 1 : 1;
    if (n >= run) return true;
  }
  return run <= 1 && toks.length > 0;
}

/** Share of texts with a repeated run (0 for no texts). */
export function repetitionRate(texts: readonly string[], run = 4): number {
  if (texts.length === 0) return 0;
  return texts.filter((t) => hasRepeatedRun(t, run)).length / texts.length;
}

/** The top `share` of keys by count (at least one; ties broken by first appearance). */
export function headSet(counts: ReadonlyMap<string, number>, share = 0.2): Set<string> {
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return new Set(sorted.slice(0, Math.max(1, Math.ceil(sorted.length * share))).map(([k]) => k));
}

export type GroupName = 'itemHead' | 'itemTail' | 'userActive' | 'userInactive';
export const GROUP_NAMES: readonly GroupName[] = ['itemHead', 'itemTail', 'userActive', 'userInactive'];

/**
 * Metrics of the rows in each group: items in the head (top 20% of items by training records) or the tail,
 * users in the active head (top 20% by training records) or not. Groups with fewer than two rows are left out (DIV needs two).
 */
export function groupMetrics(
  rows: readonly (ExplanationRow & { user: string; item: string })[],
  train: readonly { user: string; item: string }[],
  options: { features: readonly string[]; minRating: number; maxRating: number },
): Partial<Record<GroupName, ExplanationMetrics>> {
  const items = new Map<string, number>();
  const users = new Map<string, number>();
  for (const r of train) {
    items.set(r.item, (items.get(r.item) ?? 0) + 1);
    users.set(r.user, (users.get(r.user) ?? 0) + 1);
  }
  const headItems = headSet(items);
  const activeUsers = headSet(users);
  const pick: Record<GroupName, (r: { user: string; item: string }) => boolean> = {
    itemHead: (r) => headItems.has(r.item),
    itemTail: (r) => !headItems.has(r.item),
    userActive: (r) => activeUsers.has(r.user),
    userInactive: (r) => !activeUsers.has(r.user),
  };
  const out: Partial<Record<GroupName, ExplanationMetrics>> = {};
  for (const g of GROUP_NAMES) {
    const sub = rows.filter(pick[g]);
    if (sub.length >= 2) out[g] = explanationMetrics(sub, options); // DIV needs two rows
  }
  return out;
}
