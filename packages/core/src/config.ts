/**
 * One way to resolve every xrec configuration object: reject unknown fields (naming them, with the closest
 * known one), fill defaults — constants or computed from the other fields, so no "0 means default"
 * sentinels — check each value, and freeze the result. Errors are ConfigErrors `<where>.<field>: <problem>,
 * got <value>`.
 */
import { ConfigError } from './errors.js';

/** A field: its check (a problem description, or undefined when the value is fine) and its default. */
export interface FieldSpec<T, C> {
  readonly check: (v: unknown) => string | undefined;
  /** A constant, or computed from the fields given (`partial`) and the defaults resolved before this one. */
  readonly default?: T | ((resolved: Partial<C>) => T);
  /** May stay undefined (no default). */
  readonly optional?: boolean;
  /** Turn a checked value into its resolved form (e.g. a RegExp into its source, a list deduplicated and frozen). */
  readonly normalize?: (v: unknown) => T;
}

export type ConfigSpec<C> = { readonly [K in keyof C]-?: FieldSpec<C[K], C> };

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/**
 * Resolve `input` against `spec`: fields are resolved in the spec's order (a computed default sees the
 * fields before it, given or defaulted). `undefined` counts as not given.
 */
export function resolveConfig<C extends object>(where: string, spec: ConfigSpec<C>, input: unknown = {}): Readonly<C> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new ConfigError(`${where}: expected an object of settings, got ${JSON.stringify(input)}`);
  const given = input as Record<string, unknown>;
  const known = Object.keys(spec);
  for (const k of Object.keys(given)) {
    if (known.includes(k)) continue;
    const near = known.map((n) => [n, editDistance(k.toLowerCase(), n.toLowerCase())] as const).sort((a, b) => a[1] - b[1])[0];
    const hint = near && near[1] <= Math.max(2, Math.floor(k.length / 3)) ? ` (did you mean '${near[0]}'?)` : ` (known: ${known.join(', ')})`;
    throw new ConfigError(`${where}: unknown field '${k}'${hint}`);
  }
  const out: Record<string, unknown> = {};
  for (const k of known) {
    const f = (spec as Record<string, FieldSpec<unknown, C>>)[k]!;
    let v = given[k];
    if (v === undefined && f.default !== undefined) v = typeof f.default === 'function' ? (f.default as (r: Partial<C>) => unknown)({ ...given, ...out } as Partial<C>) : f.default;
    if (v === undefined) {
      if (f.optional) continue;
      throw new ConfigError(`${where}.${k}: required`);
    }
    const problem = f.check(v);
    if (problem) throw new ConfigError(`${where}.${k}: ${problem}, got ${JSON.stringify(v)}`);
    out[k] = f.normalize ? f.normalize(v) : v;
  }
  return Object.freeze(out) as Readonly<C>;
}

/** Checks for {@link FieldSpec.check}. */
export const is = {
  int: (min = -Infinity, max = Infinity) => (v: unknown) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? undefined : `must be an integer${min > -Infinity ? ` >= ${min}` : ''}${max < Infinity ? ` and <= ${max}` : ''}`,
  num: (min = -Infinity, opts: { exclusive?: boolean; max?: number; maxExclusive?: boolean } = {}) => (v: unknown) => {
    const ok = typeof v === 'number' && Number.isFinite(v) && (opts.exclusive ? v > min : v >= min) && (opts.max === undefined || (opts.maxExclusive ? v < opts.max : v <= opts.max));
    return ok ? undefined : `must be a finite number ${opts.exclusive ? '>' : '>='} ${min}${opts.max !== undefined ? ` and ${opts.maxExclusive ? '<' : '<='} ${opts.max}` : ''}`;
  },
  oneOf: <T extends string>(values: readonly T[]) => (v: unknown) => (values.includes(v as T) ? undefined : `must be one of ${values.join(', ')}`),
  bool: () => (v: unknown) => (typeof v === 'boolean' ? undefined : 'must be true or false'),
  str: () => (v: unknown) => (typeof v === 'string' && v !== '' ? undefined : 'must be a non-empty string'),
  any: () => () => undefined,
};
