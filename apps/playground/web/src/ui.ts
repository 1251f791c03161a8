// Shared view plumbing: result-region states (idle/loading/done/error), field-level errors, the "no model loaded" notice.
import type { DatasetInfo, View } from '../../src/schemas.js';
import { ApiRequestError, datasetFor, isAbort } from './api.js';
import { h, replace, uid, type Child } from './dom.js';

export type State = 'idle' | 'loading' | 'done' | 'error';

/** A result container: `data-state`, `aria-busy` and `aria-live` kept in step. */
export function resultRegion(testid: string, idleText: string): HTMLDivElement {
  const el = h('div', { class: 'result', 'data-testid': testid, 'data-state': 'idle', 'aria-live': 'polite' }, h('p', { class: 'muted' }, idleText));
  return el;
}

export function setState(region: HTMLElement, state: State, ...children: Child[]): void {
  region.dataset.state = state;
  region.setAttribute('aria-busy', state === 'loading' ? 'true' : 'false');
  replace(region, ...children);
}

export const loading = (): HTMLParagraphElement => h('p', { class: 'loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading…');

export const alertBox = (message: string): HTMLParagraphElement => h('p', { class: 'error', role: 'alert' }, message);

/** Normalises an API field name ("body.profile.age", "/profile/age", "querystring.query") to "profile.age" / "query". */
const normaliseField = (f: string): string =>
  f.replace(/^\//, '').replace(/\//g, '.').replace(/^(body|query|querystring|params)\./, '');

function clearFieldErrors(fields: Record<string, HTMLElement>): void {
  for (const control of Object.values(fields)) {
    control.removeAttribute('aria-invalid');
    const wrap = control.closest('.field, fieldset') ?? control.parentElement;
    const old = wrap?.querySelector(':scope > .field-error');
    if (old) {
      const ids = (control.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && id !== old.id);
      if (ids.length) control.setAttribute('aria-describedby', ids.join(' '));
      else control.removeAttribute('aria-describedby');
      old.remove();
    }
  }
}

/** Shows `message` next to the control for `field` (trying "a.b.c", then "a.b", then "a"); false when none matches. */
function showFieldError(fields: Record<string, HTMLElement>, field: string, message: string): boolean {
  const parts = normaliseField(field).split('.');
  for (let n = parts.length; n > 0; n--) {
    const control = fields[parts.slice(0, n).join('.')];
    if (!control?.isConnected) continue;
    const wrap = control.closest('.field, fieldset') ?? control.parentElement;
    if (!wrap) return false;
    const msg = h('p', { class: 'error field-error', role: 'alert', id: uid('err') }, message);
    wrap.appendChild(msg);
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), msg.id].filter(Boolean).join(' '));
    return true;
  }
  return false;
}

const controllers = new WeakMap<HTMLElement, AbortController>();

export interface RunOptions<T> {
  region: HTMLElement;
  button?: HTMLButtonElement;
  /** Request field name (e.g. "user", "profile.age") → the control that edits it. */
  fields?: Record<string, HTMLElement>;
  request: (signal: AbortSignal) => Promise<T>;
  render: (data: T) => Child[];
}

/** Runs one request into a result region: a newer run aborts an older one; errors go next to their field or into the region. */
export async function run<T>(o: RunOptions<T>): Promise<void> {
  controllers.get(o.region)?.abort();
  const ctrl = new AbortController();
  controllers.set(o.region, ctrl);
  const fields = o.fields ?? {};
  clearFieldErrors(fields);
  setState(o.region, 'loading', loading());
  if (o.button) o.button.disabled = true;
  try {
    const data = await o.request(ctrl.signal);
    if (ctrl.signal.aborted) return;
    setState(o.region, 'done', ...o.render(data));
  } catch (e) {
    if (isAbort(e) || ctrl.signal.aborted) return;
    const message = e instanceof Error ? e.message : String(e);
    const onField = e instanceof ApiRequestError && e.field !== undefined && showFieldError(fields, e.field, message);
    setState(o.region, 'error', onField ? h('p', { class: 'error' }, 'The request was refused: see the message next to the field.') : alertBox(message));
  } finally {
    if (controllers.get(o.region) === ctrl) {
      controllers.delete(o.region);
      if (o.button) o.button.disabled = false;
    }
  }
}

const START_HINT: Record<View, string> = {
  explain: 'the explanation models (PEPLER, from bench explain)',
  coldstart: 'the cold-start model (PromptRec; needs MovieLens-100K in the data directory)',
  fairness: 'the fairness model (UP5, from bench fairness; needs Insurance in the data directory)',
};

/** Looks up the view's dataset, then builds the view into `root`, or shows why it cannot. */
export async function withDataset(root: HTMLElement, view: View, build: (ds: DatasetInfo) => void): Promise<void> {
  const status = h('div', { 'aria-busy': 'true' }, loading());
  root.appendChild(status);
  try {
    const ds = await datasetFor(view);
    status.remove();
    if (ds) build(ds);
    else
      root.appendChild(
        h('p', { class: 'notice', role: 'status', 'data-testid': `${view}-missing` },
          `No model loaded for this view; start the server with \`pnpm xrec serve --views ${view}\` (it needs ${START_HINT[view]}; see \`xrec serve --help\`).`),
      );
  } catch (e) {
    replace(status, alertBox(`Could not list the datasets: ${e instanceof Error ? e.message : String(e)}`));
    status.setAttribute('aria-busy', 'false');
  }
}
