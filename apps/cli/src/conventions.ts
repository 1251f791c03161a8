/**
 * Conventions every xrec command follows, applied once to the whole program by {@link applyConventions}:
 *
 * - required options say so in `--help` ("(required)");
 * - commands that train or benchmark accept `--config file.json`: a JSON object of option values (keys as the
 *   long flag without dashes, camelCase or kebab-case), applied before the flags given on the command line,
 *   which win; an unknown key or a bad value is an error naming the file and the key;
 * - exit codes (documented in the CLI README): {@link EXIT}.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ConfigError } from '@xrec/core';
import { EXAMPLES } from './examples.js';

/** Exit codes of `xrec`. */
export const EXIT = {
  ok: 0,
  /** An unexpected failure (a bug, or an error from outside xrec): run with --verbose for the stack trace. */
  failure: 1,
  /** A typed xrec error: bad input, data, configuration or state (the message names what and where). */
  xrecError: 2,
  /** Usage error: unknown command or option, missing required option, bad option value syntax. */
  usage: 64,
} as const;

/** Add an "Examples:" section to a command's help. */
export function examples(cmd: Command, lines: readonly string[]): Command {
  return cmd.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  ${l}`).join('\n')}`);
}

/** Leaf commands (those with an action), depth first. */
export function leafCommands(cmd: Command): Command[] {
  const subs = cmd.commands as Command[];
  if (subs.length === 0) return [cmd];
  return subs.flatMap((c) => leafCommands(c));
}

export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function markRequired(cmd: Command): void {
  for (const o of cmd.options as Option[]) {
    if (o.mandatory && !o.description.endsWith('(required)')) o.description = `${o.description} (required)`;
  }
}

const camel = (k: string): string => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The value of `--config` in raw arguments (`--config F` or `--config=F`), if any. */
function configArg(raw: readonly string[]): string | undefined {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '--config') return raw[i + 1];
    if (raw[i]!.startsWith('--config=')) return raw[i]!.slice('--config='.length);
  }
  return undefined;
}

/** Set a command's option values from a JSON config file (source 'config': flags parsed afterwards win). */
export function applyConfigFile(cmd: Command, file: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`--config ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`--config ${file}: expected a JSON object of option values`);
  const byKey = new Map<string, Option>();
  for (const o of cmd.options as Option[]) if (o.attributeName() !== 'config') byKey.set(o.attributeName(), o);
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const o = byKey.get(camel(key));
    if (!o) throw new ConfigError(`--config ${file}: unknown option '${key}' for \`${commandPath(cmd)}\` (known: ${[...byKey.keys()].join(', ')})`);
    let v: unknown;
    if (o.isBoolean()) {
      if (typeof value !== 'boolean') throw new ConfigError(`--config ${file}: '${key}' must be true or false, got ${JSON.stringify(value)}`);
      v = o.negate ? !value : value;
    } else {
      if (typeof value !== 'string' && typeof value !== 'number') throw new ConfigError(`--config ${file}: '${key}' must be a string or number, got ${JSON.stringify(value)}`);
      if (o.argChoices && !o.argChoices.includes(String(value))) throw new ConfigError(`--config ${file}: '${key}' must be one of ${o.argChoices.join(', ')}, got ${JSON.stringify(value)}`);
      const parse = (o as unknown as { parseArg?: (v: string, prev: unknown) => unknown }).parseArg;
      try {
        v = parse ? parse(String(value), undefined) : String(value);
      } catch (e) {
        throw new ConfigError(`--config ${file}: '${key}': ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    cmd.setOptionValueWithSource(o.attributeName(), v, 'config');
  }
}

/**
 * Give `leaf` a `--config FILE` option. The file is applied when the parent dispatches to `leaf`, before
 * `leaf` parses its own flags (so flags win and required options may come from the file).
 */
function addConfigOption(leaf: Command, root: Command, hooked: Set<Command>): void {
  leaf.option('--config <file>', 'JSON file of option values (keys: long flag names); command-line flags win');
  const parent = leaf.parent;
  if (!parent || hooked.has(parent)) return;
  hooked.add(parent);
  parent.hook('preSubcommand', (_parent, sub) => {
    if (!sub.options.some((o) => o.long === '--config')) return;
    const file = configArg((root as unknown as { rawArgs: string[] }).rawArgs);
    if (file) applyConfigFile(sub, file);
  });
}

/** Commands that get `--config` (RecBole-style run configuration files): training and benchmarks. */
const CONFIGURABLE = /^xrec (train|bench|pretrain)\b/;

export function applyConventions(program: Command): void {
  const visit = (cmd: Command): void => {
    markRequired(cmd);
    (cmd.commands as Command[]).forEach(visit);
  };
  visit(program);
  for (const leaf of leafCommands(program)) {
    const lines = EXAMPLES[commandPath(leaf)];
    if (lines) examples(leaf, lines);
  }
  const hooked = new Set<Command>();
  for (const leaf of leafCommands(program)) {
    if (CONFIGURABLE.test(commandPath(leaf)) && !leaf.options.some((o) => o.long === '--config')) addConfigOption(leaf, program, hooked);
  }
}
