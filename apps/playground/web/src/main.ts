// Entry point: tab navigation with hash routing (#explain, #coldstart, #fairness, #bench); each view is built on its first visit.
import { mountBench } from './bench-view.js';
import { mountColdStart } from './coldstart-view.js';
import { mountExplain } from './explain-view.js';
import { mountFairness } from './fairness-view.js';

const VIEWS = { explain: mountExplain, coldstart: mountColdStart, fairness: mountFairness, bench: mountBench } as const;
type ViewId = keyof typeof VIEWS;
const isView = (s: string): s is ViewId => Object.hasOwn(VIEWS, s);

const mounted = new Set<ViewId>();

function route(moveFocus: boolean): void {
  const wanted = location.hash.replace(/^#/, '');
  const view: ViewId = isView(wanted) ? wanted : 'explain';
  for (const id of Object.keys(VIEWS)) {
    const section = document.getElementById(`view-${id}`);
    if (section) section.hidden = id !== view;
  }
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-view]')) {
    if (a.dataset.view === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const section = document.getElementById(`view-${view}`);
  if (section && !mounted.has(view)) {
    mounted.add(view);
    VIEWS[view](section);
  }
  const title = section?.querySelector('h2')?.textContent;
  document.title = title ? `${title} · xrec playground` : 'xrec playground';
  if (moveFocus) section?.querySelector<HTMLElement>('h2')?.focus();
}

window.addEventListener('hashchange', () => route(true));
route(false);
