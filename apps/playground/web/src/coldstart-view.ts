// Cold-start view: describe a new user (age, gender, occupation, zip) and compare each scoring method's top-k by p(like).
import type { ColdStartRequest, ColdStartResponse, DatasetInfo } from '../../src/schemas.js';
import * as api from './api.js';
import { bar, checkGroup, field, formatNumber, h, ticked, type Child } from './dom.js';
import { resultRegion, run, withDataset } from './ui.js';

export function mountColdStart(root: HTMLElement): void {
  void withDataset(root, 'coldstart', (ds) => build(root, ds));
}

function build(root: HTMLElement, ds: DatasetInfo): void {
  const age = h('input', { type: 'number', min: 1, max: 120, step: 1, value: 25, required: true, inputmode: 'numeric', 'data-testid': 'coldstart-age' });
  const gender = h('select', { required: true, 'data-testid': 'coldstart-gender' }, h('option', { value: 'M' }, 'M (male)'), h('option', { value: 'F' }, 'F (female)'));
  const occupations = ds.occupations ?? [];
  // Without a list from the server, occupation is free text (the server validates it).
  const occupation: HTMLSelectElement | HTMLInputElement = occupations.length
    ? h('select', { required: true, 'data-testid': 'coldstart-occupation' }, ...occupations.map((o) => h('option', { value: o }, o)))
    : h('input', { type: 'text', required: true, maxlength: 40, 'data-testid': 'coldstart-occupation' });
  const zip = h('input', { type: 'text', maxlength: 10, pattern: '[0-9A-Za-z\\-]*', autocomplete: 'postal-code', 'data-testid': 'coldstart-zip' });
  const k = h('input', { type: 'number', min: 1, max: 100, step: 1, value: 10, required: true, 'data-testid': 'coldstart-k' });
  const methods = checkGroup('Scoring methods', (ds.methods ?? []).map((m) => ({ label: m, value: m, testid: `coldstart-method-${m}` })));
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'coldstart-submit' }, 'Recommend');
  const result = resultRegion('coldstart-result', 'Describe a new user, then press Recommend.');

  const form = h('form', { class: 'form' },
    h('p', { class: 'muted' }, `Dataset ${ds.name}: ${ds.items} items to rank.`),
    h('div', { class: 'row' },
      field('Age', age),
      field('Gender', gender),
      field('Occupation', occupation),
      field('Zip code (optional)', zip),
      field('How many items (k)', k),
    ),
    (ds.methods ?? []).length ? methods.set : null,
    h('div', { class: 'actions' }, submit),
  );

  methods.set.addEventListener('change', () => methods.inputs[0]?.setCustomValidity(''));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const chosen = ticked(methods.inputs);
    methods.inputs[0]?.setCustomValidity(methods.inputs.length > 0 && chosen.length === 0 ? 'Tick at least one method.' : '');
    if (!form.reportValidity()) return;
    const body: ColdStartRequest = {
      dataset: ds.id,
      profile: { age: age.valueAsNumber, gender: gender.value === 'F' ? 'F' : 'M', occupation: occupation.value },
      k: k.valueAsNumber,
    };
    if (zip.value.trim()) body.profile.zip = zip.value.trim();
    if (chosen.length) body.methods = chosen;
    void run({
      region: result,
      button: submit,
      fields: { 'profile.age': age, 'profile.gender': gender, 'profile.occupation': occupation, 'profile.zip': zip, k, methods: methods.set },
      request: (signal) => api.coldStart(body, signal),
      render: renderColdStart,
    });
  });
  root.append(form, result);
}

function methodTable(r: ColdStartResponse['results'][number]): HTMLElement {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'ranked', 'data-testid': 'coldstart-table' },
      h('caption', {}, r.method, h('span', { class: 'hint' }, ` · ${formatNumber(r.milliseconds)} ms`)),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Rank'), h('th', { scope: 'col' }, 'Title'), h('th', { scope: 'col' }, 'p(like)'))),
      h('tbody', {}, ...r.ranked.map((s, i) =>
        h('tr', { 'data-testid': 'coldstart-row', 'data-item': s.item },
          h('td', { class: 'num' }, i + 1),
          h('td', {}, s.title || s.item),
          h('td', {}, bar(s.p, s.p.toFixed(3))),
        ),
      )),
    ),
  );
}

function renderColdStart(res: ColdStartResponse): Child[] {
  return [
    h('div', { class: 'columns' }, ...res.results.map(methodTable)),
    res.results.length === 0 ? h('p', { class: 'muted' }, 'No method answered.') : null,
    h('details', { class: 'prompt' }, h('summary', {}, 'Verbalized prompt (first candidate)'), h('pre', {}, res.prompt)),
  ];
}
