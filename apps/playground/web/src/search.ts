// A search field for user or item ids: typed text is debounced (200 ms) into /api/users or /api/items and offered via a <datalist>.
import type { ItemsResponse, UsersResponse } from '../../src/schemas.js';
import * as api from './api.js';
import { debounce, field, h, uid } from './dom.js';

export type UserSummary = UsersResponse['users'][number];
export type ItemSummary = ItemsResponse['items'][number];

export interface SearchField {
  /** The `.field` wrapper (label, input, datalist, match count). */
  wrap: HTMLDivElement;
  input: HTMLInputElement;
  /** The typed or picked id, trimmed. */
  value(): string;
}

export interface SearchOptions {
  kind: 'users' | 'items';
  dataset: string;
  label: string;
  testid: string;
  placeholder?: string;
  limit?: number;
  /** items: the chosen user (their items are suggested first). */
  forUser?: () => string;
  /** Called when the value is committed (a suggestion picked, or Enter/blur after typing). */
  onCommit?: (id: string) => void;
}

export function searchField(o: SearchOptions): SearchField {
  const list = h('datalist', { id: uid('list') });
  const input = h('input', {
    type: 'text', name: o.kind === 'users' ? 'user' : 'item', list: list.id, required: true, autocomplete: 'off',
    spellcheck: 'false', placeholder: o.placeholder ?? 'type to search, or paste an id', 'data-testid': o.testid,
  });
  const count = h('p', { class: 'hint', 'aria-live': 'polite' });
  const wrap = field(o.label, input);
  wrap.append(list, count);

  let last: (UserSummary | ItemSummary)[] = [];
  let ctrl: AbortController | undefined;

  const search = async (query: string): Promise<void> => {
    ctrl?.abort();
    const mine = new AbortController();
    ctrl = mine;
    try {
      const s = { dataset: o.dataset, query, limit: o.limit ?? 20, ...(o.forUser?.() ? { user: o.forUser() } : {}) };
      const res = o.kind === 'users' ? await api.users(s, mine.signal) : await api.items(s, mine.signal);
      const rows: (UserSummary | ItemSummary)[] = 'users' in res ? res.users : res.items;
      last = rows;
      list.replaceChildren(...rows.map((r) => {
        const title = 'title' in r && r.title ? `${r.title} · ` : '';
        const opt = h('option', { value: r.id });
        opt.label = `${title}${r.interactions} interactions`;
        return opt;
      }));
      count.textContent = rows.length === 0 ? 'No matches.' : `${rows.length} of ${res.total} matches shown.`;
    } catch (e) {
      if (api.isAbort(e)) return;
      count.textContent = `Search failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  };
  const debounced = debounce((q: string) => void search(q), 200);

  const value = (): string => input.value.trim();
  let committed = '';
  const commit = (): void => {
    if (value() && value() !== committed) o.onCommit?.(value());
    committed = value();
  };
  input.addEventListener('input', (e) => {
    // Picking a <datalist> option fires a plain Event (Chromium) or an insertReplacementText InputEvent: commit at once.
    const picked = !(e instanceof InputEvent) || e.inputType === 'insertReplacementText';
    if (picked) commit();
    else debounced(value());
  });
  input.addEventListener('focus', () => {
    if (last.length === 0) void search(value());
  });
  input.addEventListener('change', commit);

  return { wrap, input, value };
}
