/**
 * P5's prompt templates (jeykigung/P5 `all_amazon_templates.py` families 2 and 5; UP5's `insurance_template.py`
 * wording for Insurance): source text with user and item ids written as words, target text = the item id.
 * Ids are written `user_{u}` for users and as their own words for items (product codes for Insurance, the
 * MovieLens item number for movies).
 */
import { ConfigError } from '@xrec/core';
import type { RecExample } from './examples.js';

export type P5Task = 'sequential' | 'direct';
export type P5Domain = 'insurance' | 'movie';

export interface P5Template {
  /** P5/UP5's template id (`2-1` sequential, `5-8` direct). */
  readonly id: string;
  readonly task: P5Task;
  readonly domain: P5Domain;
  source(ex: RecExample): string;
}

const list = (items: readonly string[]) => items.join(' , ');

function candidatesOf(ex: RecExample, id: string): readonly string[] {
  if (!ex.candidates || ex.candidates.length === 0) throw new ConfigError(`P5 template ${id}: the example of user ${ex.user} has no candidates (direct prompts need them)`);
  return ex.candidates;
}

export const P5_TEMPLATES: readonly P5Template[] = [
  {
    id: '2-1',
    task: 'sequential',
    domain: 'movie',
    source: (ex) => `Given the following purchase history of user_${ex.user} : ${list(ex.history)} predict next possible item to be purchased by the user ?`,
  },
  {
    id: '5-8',
    task: 'direct',
    domain: 'movie',
    source: (ex) => `Which item of the following to recommend for user_${ex.user} ? ${list(candidatesOf(ex, '5-8'))}`,
  },
  {
    id: '2-1',
    task: 'sequential',
    domain: 'insurance',
    source: (ex) => `User_${ex.user} has purchased ${list(ex.history)}, predict next possible insurance to be bought by the user ?`,
  },
  {
    id: '5-8',
    task: 'direct',
    domain: 'insurance',
    source: (ex) => `Which insurance of the following to recommend for user_${ex.user} ? \n ${list(candidatesOf(ex, '5-8'))}`,
  },
];

/** The template of a task in a domain. */
export function p5Template(task: P5Task, domain: P5Domain): P5Template {
  const t = P5_TEMPLATES.find((x) => x.task === task && x.domain === domain);
  if (!t) throw new ConfigError(`p5Template: no template for task '${task}' in domain '${domain}' (tasks: sequential, direct; domains: insurance, movie)`);
  return t;
}

/**
 * The yes/no direct prompt (template 5-1): P5's `Will user_{u} likely to interact with item_{i} ?`, UP5's
 * Insurance wording `Will user_{u} likely to purchase insurance_{i} ?`; the answer is ` yes` or ` no`.
 */
export function yesNoPrompt(user: string, item: string, domain: P5Domain = 'movie'): string {
  return domain === 'insurance' ? `Will user_${user} likely to purchase insurance_${item} ?` : `Will user_${user} likely to interact with item_${item} ?`;
}
