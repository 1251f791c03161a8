// Fairness view: a user's top-k from the P5 with and without the UP5 prompts that hide the ticked attributes, and what an attacker still infers.
import type { DatasetInfo, FairResponse } from '../../src/schemas.js';
import * as api from './api.js';
import { checkGroup, debounce, field, h, ticked, type Child } from './dom.js';
import { searchField } from './search.js';
import { attackerTable } from './attacker-table.js';
import { resultRegion, run, withDataset } from './ui.js';

export function mountFairness(root: HTMLElement): void {
  void withDataset(root, 'fairness', (ds) => build(root, ds));
}

function build(root: HTMLElement, ds: DatasetInfo): void {
  const attrs = ds.attributes ?? [];
  const user = searchField({ kind: 'users', dataset: ds.id, label: 'User id', testid: 'fair-user', onCommit: () => query() });
  const hide = checkGroup('Attributes to hide', attrs.map((a) => ({ label: a.name, value: a.name, testid: `fair-attr-${a.name}` })), false);
  const k = h('input', { type: 'number', min: 1, max: 50, step: 1, value: 5, required: true, 'data-testid': 'fair-k' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'fair-submit' }, 'Recommend');
  const result = resultRegion('fair-result', 'Pick a user; the lists update whenever an attribute is ticked or unticked.');

  const form = h('form', { class: 'form' },
    h('p', { class: 'muted' }, `Dataset ${ds.name}: ${ds.users} users, ${ds.items} items, ${ds.records} purchases.`),
    h('div', { class: 'row' }, user.wrap, field('How many items (k)', k)),
    attrs.length ? hide.set : h('p', { class: 'muted' }, 'No attribute prompt is loaded.'),
    h('div', { class: 'actions' }, submit),
  );

  const query = (): void => {
    if (!user.value() || !k.checkValidity()) return;
    void run({
      region: result,
      button: submit,
      fields: { user: user.input, hide: hide.set, k },
      request: (signal) => api.fairRecommend({ dataset: ds.id, user: user.value(), hide: ticked(hide.inputs), k: k.valueAsNumber }, signal),
      render: renderFair,
    });
  };
  const later = debounce(query, 250);
  hide.set.addEventListener('change', query);
  k.addEventListener('input', later);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (form.reportValidity()) query();
  });
  root.append(form, result);
}

type Ranked = FairResponse['plain'];

/** One ordered list; `other` is the list to compare with, and marks say how each item moved relative to it. */
function rankedList(title: string, list: Ranked, other: Ranked, testid: string, side: 'plain' | 'fair'): HTMLElement {
  const pos = new Map(other.map((r, i) => [r.item, i]));
  const ol = h('ol', { class: 'ranked-list', 'data-testid': testid },
    ...list.map((r, i) => {
      const j = pos.get(r.item);
      let mark = '';
      if (j === undefined) mark = side === 'fair' ? 'new' : 'dropped';
      else if (side === 'fair' && j !== i) mark = j > i ? `↑${j - i}` : `↓${i - j}`;
      return h('li', { class: mark ? 'changed' : undefined, 'data-item': r.item, 'data-change': mark || undefined, title: `log-likelihood ${r.score.toFixed(3)}` },
        h('span', { class: 'item-id' }, r.item),
        mark ? h('span', { class: 'badge' }, mark === 'new' ? 'new' : mark === 'dropped' ? 'dropped' : `moved ${mark}`) : null,
      );
    }),
  );
  return h('section', { class: 'list-col', 'aria-label': title }, h('h3', {}, title), list.length ? ol : h('p', { class: 'muted' }, 'empty'));
}

function renderFair(res: FairResponse): Child[] {
  const known = Object.entries(res.attributes);
  const hidden = res.hidden.length ? `hide ${res.hidden.join(', ')}` : 'nothing hidden';
  return [
    h('div', { class: 'user-info' },
      h('p', {}, h('strong', {}, `User ${res.user}`), known.length ? ` · known attributes: ${known.map(([a, c]) => `${a} = class ${c}`).join(', ')}` : ' · no known attribute'),
      h('details', {}, h('summary', {}, `History (${res.history.length} items)`), h('ul', { class: 'chips' }, ...res.history.map((i) => h('li', { class: 'chip' }, i)))),
    ),
    h('div', { class: 'columns two' },
      rankedList('Without prompts', res.plain, res.fair, 'fair-plain', 'plain'),
      rankedList(`With prompts: ${hidden}`, res.fair, res.plain, 'fair-fair', 'fair'),
    ),
    attackerTable(res),
  ];
}
