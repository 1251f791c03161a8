// The fairness view's attacker table: per attribute and class, the attacker's probability without → with the prompts.
import type { FairResponse } from '../../src/schemas.js';
import { bar, h } from './dom.js';

export function attackerTable(res: FairResponse): HTMLElement {
  const rows: HTMLTableRowElement[] = [];
  for (const [name, a] of Object.entries(res.attacker)) {
    const hidden = res.hidden.includes(name);
    for (let c = 0; c < a.classes; c++) {
      const isUsers = res.attributes[name] === c;
      rows.push(
        h('tr', { class: isUsers ? 'users-class' : undefined, 'data-attr': name, 'data-class': c },
          c === 0 ? h('th', { scope: 'row', rowspan: a.classes }, name, h('br'), h('span', { class: 'hint' }, hidden ? 'hidden' : 'not hidden')) : null,
          h('td', {}, `class ${c}`, isUsers ? h('span', { class: 'badge' }, "user's class") : null),
          h('td', {}, probCell(a.without[c])),
          h('td', {}, probCell(a.with[c])),
        ),
      );
    }
  }
  return h('section', { class: 'attacker', 'aria-label': 'Attacker' },
    h('h3', {}, 'What an attacker infers'),
    h('p', { class: 'hint' },
      "The attacker is a classifier that reads the user's representation. For a binary attribute 0.5 means it cannot tell (in general, chance is 1 / number of classes); the prompts work when the user's class drops toward chance."),
    h('div', { class: 'table-wrap' },
      h('table', { 'data-testid': 'fair-attacker' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Attribute'), h('th', { scope: 'col' }, 'Class'), h('th', { scope: 'col' }, 'Without prompts'), h('th', { scope: 'col' }, 'With prompts'))),
        h('tbody', {}, ...rows),
      ),
    ),
  );
}

const probCell = (p: number | undefined): HTMLElement => (p === undefined ? h('span', { class: 'muted' }, '–') : bar(p, p.toFixed(3)));
