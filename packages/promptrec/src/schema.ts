/**
 * A schema-driven verbalizer: any tabular user/item profile becomes PromptRec prompts from a JSON spec — no
 * code. A schema names three templates (user sentence, item sentence, the bridge before the question) with
 * `{slot}` placeholders, and says for every slot which profile field it reads and how the value becomes words:
 *
 * - scalar fields: `lowercase`, regex `replace` rules (in order), `trim`, numeric `bins` (the first with
 *   value ≤ max; `above` past the last), a `map` of value → word (`unmapped`: `error` | `keep` | `drop`), the
 *   `builtin` `us-state-of-zip`, then `prefix`/`suffix`;
 * - list fields (`list: true`): each element mapped, then joined "a", "a and b", "a, b, and c"; or `contains`
 *   + `word`: the word when the list holds that value;
 * - `optional` slots with no value are removed with the space before them; a required slot without one is an
 *   error naming the slot and the value.
 *
 * ML-100K and the coupon data are expressed in it (`schemas.ts`); a test checks that they give the hand-written
 * verbalizers' prompts on every row.
 */
import { ConfigError } from '@xrec/core';
import { renderTemplate, type SlotValues } from './template.js';
import { CAUSAL_SUFFIX, MASKED_SUFFIX } from './movielens.js';
import { stateOfZip } from './zip-states.js';
import { joinWords } from './verbalizer.js';

export interface SlotSpec {
  /** Which profile the slot reads. */
  readonly from: 'user' | 'item';
  readonly field: string;
  readonly lowercase?: boolean;
  /** Regex replacements applied in order (JavaScript syntax; `with` defaults to ''). */
  readonly replace?: readonly { readonly pattern: string; readonly with?: string }[];
  readonly trim?: boolean;
  /** Numeric bins: the word of the first bin whose `max` is ≥ the value. */
  readonly bins?: readonly { readonly max: number; readonly word: string }[];
  /** The word of values above every bin. */
  readonly above?: string;
  readonly map?: Readonly<Record<string, string>>;
  /** A value the map lacks: an error (default), kept as it is, or dropped (no value). */
  readonly unmapped?: 'error' | 'keep' | 'drop';
  readonly builtin?: 'us-state-of-zip';
  /** The field is a list: every element mapped (unmapped ones follow `unmapped`), the words joined. */
  readonly list?: boolean;
  /** The field is a list: the slot is `word` when the list contains this value, else empty. */
  readonly contains?: string;
  readonly word?: string;
  readonly prefix?: string;
  readonly suffix?: string;
  readonly optional?: boolean;
}

export interface PromptSchema {
  readonly format: 'xrec-promptrec-schema';
  readonly version: 1;
  readonly name: string;
  /** The user's sentence, e.g. "The {gender} is a {age} {occupation} {area}." */
  readonly user: string;
  /** The item's sentence (TPPT's domain keywords come from these). */
  readonly item: string;
  /** The sentence after the separator, before the question, e.g. "The user is that {gender}, and the item is that movie." */
  readonly bridge: string;
  readonly slots: Readonly<Record<string, SlotSpec>>;
}

/** A user or item profile: any object whose fields the schema's slots read. */
export type Profile = object;

const SLOT_KEYS = new Set(['from', 'field', 'lowercase', 'replace', 'trim', 'bins', 'above', 'map', 'unmapped', 'builtin', 'list', 'contains', 'word', 'prefix', 'suffix', 'optional']);

const slotNames = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

/** Check a parsed JSON value as a schema; every problem is a ConfigError naming where it is (`where.slots.age.bins[2].max`). */
export function parseSchema(value: unknown, where = 'schema'): PromptSchema {
  const fail = (path: string, msg: string): never => {
    throw new ConfigError(`${where}${path}: ${msg}`);
  };
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObj(value)) fail('', 'expected a JSON object with format, version, name, user, item, bridge and slots');
  const s = value as Record<string, unknown>;
  if (s.format !== 'xrec-promptrec-schema') fail('.format', `expected "xrec-promptrec-schema", got ${JSON.stringify(s.format)}`);
  if (s.version !== 1) fail('.version', `expected 1, got ${JSON.stringify(s.version)}`);
  for (const k of ['name', 'user', 'item', 'bridge'] as const) if (typeof s[k] !== 'string' || s[k] === '') fail(`.${k}`, `expected a non-empty string, got ${JSON.stringify(s[k])}`);
  if (!isObj(s.slots)) fail('.slots', 'expected an object of slot specs');
  const slots = s.slots as Record<string, unknown>;
  for (const [name, spec] of Object.entries(slots)) {
    const p = `.slots.${name}`;
    if (!isObj(spec)) fail(p, 'expected an object');
    const o = spec as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !SLOT_KEYS.has(k));
    if (extra.length) fail(p, `unknown key ${extra.map((k) => `'${k}'`).join(', ')} (known: ${[...SLOT_KEYS].join(', ')})`);
    if (o.from !== 'user' && o.from !== 'item') fail(`${p}.from`, `expected "user" or "item", got ${JSON.stringify(o.from)}`);
    if (typeof o.field !== 'string' || o.field === '') fail(`${p}.field`, `expected a field name, got ${JSON.stringify(o.field)}`);
    for (const k of ['lowercase', 'trim', 'list', 'optional']) if (o[k] !== undefined && typeof o[k] !== 'boolean') fail(`${p}.${k}`, `expected true or false, got ${JSON.stringify(o[k])}`);
    for (const k of ['above', 'contains', 'word', 'prefix', 'suffix']) if (o[k] !== undefined && typeof o[k] !== 'string') fail(`${p}.${k}`, `expected a string, got ${JSON.stringify(o[k])}`);
    if (o.unmapped !== undefined && !['error', 'keep', 'drop'].includes(o.unmapped as string)) fail(`${p}.unmapped`, `expected "error", "keep" or "drop", got ${JSON.stringify(o.unmapped)}`);
    if (o.builtin !== undefined && o.builtin !== 'us-state-of-zip') fail(`${p}.builtin`, `expected "us-state-of-zip", got ${JSON.stringify(o.builtin)}`);
    if (o.map !== undefined && (!isObj(o.map) || Object.values(o.map).some((w) => typeof w !== 'string'))) fail(`${p}.map`, 'expected an object of value → word strings');
    if (o.replace !== undefined) {
      if (!Array.isArray(o.replace)) fail(`${p}.replace`, 'expected a list of {pattern, with}');
      (o.replace as unknown[]).forEach((r, i) => {
        if (!isObj(r) || typeof r.pattern !== 'string' || (r.with !== undefined && typeof r.with !== 'string')) fail(`${p}.replace[${i}]`, 'expected {"pattern": string, "with"?: string}');
        try {
          new RegExp((r as { pattern: string }).pattern);
        } catch (e) {
          fail(`${p}.replace[${i}].pattern`, (e as Error).message);
        }
      });
    }
    if (o.bins !== undefined) {
      if (!Array.isArray(o.bins) || o.bins.length === 0) fail(`${p}.bins`, 'expected a non-empty list of {max, word}');
      (o.bins as unknown[]).forEach((b, i) => {
        if (!isObj(b) || typeof b.max !== 'number' || !Number.isFinite(b.max) || typeof b.word !== 'string') fail(`${p}.bins[${i}]`, 'expected {"max": number, "word": string}');
        if (i > 0 && (b as { max: number }).max <= (o.bins as { max: number }[])[i - 1]!.max) fail(`${p}.bins[${i}].max`, 'bins must be in increasing order of max');
      });
    }
    if ((o.contains === undefined) !== (o.word === undefined)) fail(p, "'contains' and 'word' go together");
  }
  for (const k of ['user', 'item', 'bridge'] as const) {
    for (const name of slotNames(s[k] as string)) if (!(name in slots)) fail(`.${k}`, `slot '{${name}}' has no spec in slots (known: ${Object.keys(slots).join(', ') || 'none'})`);
  }
  for (const name of slotNames(s.item as string)) if ((slots[name] as { from: string }).from !== 'item') fail(`.slots.${name}.from`, 'a slot of the item sentence must read the item');
  return value as unknown as PromptSchema;
}

function fieldOf(profile: Profile, spec: SlotSpec, slot: string, schema: string): unknown {
  if (profile === null || typeof profile !== 'object') throw new ConfigError(`${schema}: slot '${slot}': the ${spec.from} profile is not an object`);
  return (profile as Readonly<Record<string, unknown>>)[spec.field];
}

function scalarWord(spec: SlotSpec, raw: unknown, slot: string, schema: string): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (spec.builtin === 'us-state-of-zip') return stateOfZip(String(raw));
  if (spec.bins) {
    const v = typeof raw === 'number' ? raw : Number(raw);
    if (!Number.isFinite(v)) throw new ConfigError(`${schema}: slot '${slot}': ${spec.from}.${spec.field} = ${JSON.stringify(raw)} is not a number (the slot has bins)`);
    return spec.bins.find((b) => v <= b.max)?.word ?? spec.above;
  }
  let t = String(raw);
  if (spec.lowercase) t = t.toLowerCase();
  for (const r of spec.replace ?? []) t = t.replace(new RegExp(r.pattern), r.with ?? '');
  if (spec.trim) t = t.trim();
  if (!spec.map) return t;
  const w = spec.map[t];
  if (w !== undefined) return w;
  const policy = spec.unmapped ?? 'error';
  if (policy === 'keep') return t;
  if (policy === 'drop') return undefined;
  throw new ConfigError(`${schema}: slot '${slot}': no word for ${spec.from}.${spec.field} = ${JSON.stringify(raw)} (known: ${Object.keys(spec.map).join(', ')}; set "unmapped": "keep" or "drop" to allow others)`);
}

function slotWord(schema: PromptSchema, slot: string, user: Profile | undefined, item: Profile | undefined): string | undefined {
  const spec = schema.slots[slot]!;
  const profile = spec.from === 'user' ? user : item;
  if (profile === undefined) throw new ConfigError(`${schema.name}: slot '${slot}' reads the ${spec.from}, but no ${spec.from} was given`);
  const raw = fieldOf(profile, spec, slot, schema.name);
  let w: string | undefined;
  if (spec.list || spec.contains !== undefined) {
    if (raw !== undefined && !Array.isArray(raw)) throw new ConfigError(`${schema.name}: slot '${slot}': ${spec.from}.${spec.field} must be a list, got ${JSON.stringify(raw)}`);
    const xs = (raw ?? []) as unknown[];
    if (spec.contains !== undefined) w = xs.some((x) => String(x) === spec.contains) ? spec.word : undefined;
    else w = joinWords(xs.map((x) => scalarWord({ ...spec, list: false }, x, slot, schema.name)).filter((x): x is string => x !== undefined && x !== ''));
  } else {
    w = scalarWord(spec, raw, slot, schema.name);
  }
  if (w === undefined || w === '') {
    if (!spec.optional) throw new ConfigError(`${schema.name}: slot '${slot}' has no value (${spec.from}.${spec.field} = ${JSON.stringify(raw)}) and is not optional`);
    return undefined;
  }
  return `${spec.prefix ?? ''}${w}${spec.suffix ?? ''}`;
}

function render(schema: PromptSchema, template: string, user: Profile | undefined, item: Profile | undefined): string {
  const names = slotNames(template);
  const values: SlotValues = Object.fromEntries(names.map((n) => [n, slotWord(schema, n, user, item)]));
  return renderTemplate(template, values, new Set(names.filter((n) => schema.slots[n]!.optional)));
}

/** The prompt of a (user, item) pair: `sep` joins profile and question; `mask` for a masked LM, none for a causal LM. */
export function schemaPrompt(schema: PromptSchema, user: Profile, item: Profile, tokens: { sep: string; mask?: string }): string {
  const profile = `${render(schema, schema.user, user, item)} ${render(schema, schema.item, user, item)}`;
  const question = `${render(schema, schema.bridge, user, item)} ${tokens.mask !== undefined ? renderTemplate(MASKED_SUFFIX, { mask: tokens.mask }) : CAUSAL_SUFFIX}`;
  return `${profile} ${tokens.sep} ${question}`;
}

/** A user's own sentence (the user template; an error if it reads the item). */
export function schemaUserText(schema: PromptSchema, user: Profile): string {
  return render(schema, schema.user, user, undefined);
}

/** An item's own sentence (TPPT's domain keywords come from these). */
export function schemaItemText(schema: PromptSchema, item: Profile): string {
  return render(schema, schema.item, undefined, item);
}
