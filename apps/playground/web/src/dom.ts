// DOM helpers: element creation with textContent only (never innerHTML), labelled fields, feature highlighting.

export type Attrs = Record<string, string | number | boolean | undefined>;
export type Child = Node | string | number | null | undefined | false;

/** Creates an element; attribute `true` sets an empty attribute, `false`/`undefined` skip it; strings become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name === 'className' ? 'class' : name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children, turning strings and numbers into text nodes. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces every child of `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let counter = 0;
/** A page-unique id with a readable prefix. */
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Wraps a control in a `.field` with its `<label>`; gives the control an id when it has none. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLDivElement {
  if (!control.id) control.id = uid('f');
  const wrap = h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
  if (hint) {
    const hintEl = h('p', { class: 'hint', id: uid('hint') }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
    wrap.appendChild(hintEl);
  }
  return wrap;
}

/** A checkbox with its label; `value` is what the form sends. */
export function checkbox(label: string, value: string, checked: boolean, testid?: string): { wrap: HTMLLabelElement; input: HTMLInputElement } {
  const input = h('input', { type: 'checkbox', value, 'data-testid': testid });
  input.checked = checked;
  return { wrap: h('label', { class: 'check' }, input, ' ', label), input };
}

/** A fieldset of checkboxes (legend + boxes); returns the inputs in order. */
export function checkGroup(legend: string, boxes: { label: string; value: string; testid?: string }[], checked = true): { set: HTMLFieldSetElement; inputs: HTMLInputElement[] } {
  const made = boxes.map((b) => checkbox(b.label, b.value, checked, b.testid));
  const set = h('fieldset', { class: 'checks' }, h('legend', {}, legend), ...made.map((m) => m.wrap));
  return { set, inputs: made.map((m) => m.input) };
}

/** The values of the ticked boxes. */
export const ticked = (inputs: readonly HTMLInputElement[]): string[] => inputs.filter((i) => i.checked).map((i) => i.value);

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Text nodes with each feature word wrapped in `<mark>`: case-insensitive, on word boundaries (Unicode letters/digits). */
export function highlight(text: string, features: readonly string[]): Node[] {
  const words = [...new Set(features.map((f) => f.trim()).filter((f) => f.length > 0))].sort((a, b) => b.length - a.length);
  if (words.length === 0) return [document.createTextNode(text)];
  const re = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${words.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
  const out: Node[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const at = m.index;
    if (at > last) out.push(document.createTextNode(text.slice(last, at)));
    out.push(h('mark', {}, m[0]));
    last = at + m[0].length;
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}

/** A small horizontal bar for a value in [0, 1], with the number beside it. */
export function bar(value: number, label?: string): HTMLSpanElement {
  const clamped = Math.min(1, Math.max(0, value));
  const fill = h('span', { class: 'bar-fill' });
  fill.style.width = `${(clamped * 100).toFixed(1)}%`;
  return h('span', { class: 'bar-cell' }, h('span', { class: 'bar', 'aria-hidden': 'true' }, fill), h('span', { class: 'num' }, label ?? formatNumber(value)));
}

/** Numbers for people: integers as they are, others to 4 significant digits. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(4)));
}

/** Calls `fn` once `ms` have passed without another call. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): (...args: A) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: A) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
