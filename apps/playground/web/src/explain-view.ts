// Explain view: pick a user and an item, tick PEPLER variants, and read each variant's explanation with its features highlighted.
import type { DatasetInfo, ExplainResponse } from '../../src/schemas.js';
import * as api from './api.js';
import { checkGroup, formatNumber, h, highlight, ticked, type Child } from './dom.js';
import { searchField } from './search.js';
import { resultRegion, run, withDataset } from './ui.js';

export function mountExplain(root: HTMLElement): void {
  void withDataset(root, 'explain', (ds) => build(root, ds));
}

function build(root: HTMLElement, ds: DatasetInfo): void {
  const user = searchField({ kind: 'users', dataset: ds.id, label: 'User id', testid: 'explain-user' });
  const item = searchField({ kind: 'items', dataset: ds.id, label: 'Item id', testid: 'explain-item', forUser: () => user.input.value.trim() });
  const variants = ds.variants ?? [];
  const group = checkGroup('Variants', variants.map((v) => ({ label: v.rating ? `${v.label} (predicts ratings)` : v.label, value: v.id, testid: `explain-variant-${v.id}` })));
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'explain-submit' }, 'Explain');
  const result = resultRegion('explain-result', 'Pick a user and an item, then press Explain.');

  const form = h('form', { class: 'form' },
    h('p', { class: 'muted' }, `Dataset ${ds.name}: ${ds.users} users, ${ds.items} items, ${ds.records} reviews.`),
    h('div', { class: 'row' }, user.wrap, item.wrap),
    variants.length ? group.set : h('p', { class: 'muted' }, 'No PEPLER variant is loaded: only the retrieval baseline answers.'),
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    void run({
      region: result,
      button: submit,
      fields: { user: user.input, item: item.input, variants: group.set },
      request: (signal) => api.explain({ dataset: ds.id, user: user.value(), item: item.value(), variants: ticked(group.inputs) }, signal),
      render: renderExplain,
    });
  });
  root.append(form, result);
}

function card(title: string, text: string, features: readonly string[], extra: Child[], testid: string): HTMLElement {
  return h('article', { class: 'card', 'data-testid': testid },
    h('h3', {}, title),
    h('p', { class: 'explanation' }, ...highlight(text, features)),
    ...extra,
  );
}

const chips = (words: readonly string[], label: string): HTMLElement =>
  words.length === 0 ? h('p', { class: 'muted' }, 'none') : h('ul', { class: 'chips', 'aria-label': label }, ...words.map((w) => h('li', { class: 'chip' }, w)));

const featureLine = (features: readonly string[]): HTMLElement =>
  h('p', { class: 'hint' }, features.length ? `Features: ${features.join(', ')}` : 'No dataset feature in this text.');

function renderExplain(res: ExplainResponse): Child[] {
  const cards = res.explanations.map((x) =>
    card(x.label, x.text, x.features, [
      x.rating !== undefined ? h('p', { class: 'rating' }, `Predicted rating: ${formatNumber(x.rating)}`) : null,
      featureLine(x.features),
    ], 'explanation-card'),
  );
  const ref = res.reference;
  return [
    h('p', { class: 'muted' }, `User ${res.user} · item ${res.item}`, res.rating !== undefined ? ` · mean predicted rating ${formatNumber(res.rating)}` : ''),
    h('div', { class: 'cards' },
      ...cards,
      ref
        ? card('Reference review', ref.text, [ref.feature, ...ref.features], [h('p', { class: 'rating' }, `Rating given: ${formatNumber(ref.rating)}`), featureLine(ref.features)], 'reference-card')
        : null,
      card('Retrieval baseline', res.retrieval.text, res.retrieval.features, [featureLine(res.retrieval.features)], 'retrieval-card'),
    ),
    h('section', { class: 'user-features', 'aria-label': "The user's top features" }, h('h3', {}, "User's top features"), chips(res.userFeatures, "User's top features")),
  ];
}
