/**
 * `xrec promptrec score`: cold-start recommendations for a user typed on the command line — the user's
 * profile and every item (MovieLens-100K movies, coupons, or the items of a user's own data described by a
 * schema file; or the given ones) become PromptRec prompts, and a masked LM (xrec-base-mlm) or a causal LM
 * (xrec-base) answers "will this user like this item?"; the items are printed ranked by p(like). No
 * interactions of the user are needed.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, DataError, findDataset, NotFoundError, resolveDataDir } from '@xrec/core';
import { loadCoupons, loadMovieLens100K, type MovieLensUser } from '@xrec/data';
import { BUILTIN_SCHEMAS, parseSchema, promptTokens, schemaItemText, schemaPrompt, scorePrompts, type Profile, type PromptSchema } from '@xrec/promptrec';
import { loadTokenizer } from '@xrec/tokenizer';
import { initBackend, TransformerLM } from '@xrec/transformer';
import { cliInt } from '../args.js';
import { terminalProgress } from '../progress.js';

/** Parse and check `--user`: a JSON object with age (1–120), gender (M or F), occupation and an optional zip. */
export function parseUserProfile(v: string): MovieLensUser {
  const u = parseProfileJson(v, '--user', 'a JSON object with age, gender, occupation (and zip)', '{"age": 24, "gender": "M", "occupation": "technician", "zip": "85711"}') as Record<string, unknown>;
  const known = ['age', 'gender', 'occupation', 'zip'];
  const extra = Object.keys(u).filter((k) => !known.includes(k));
  if (extra.length) throw new ConfigError(`--user: unknown field ${extra.map((k) => `'${k}'`).join(', ')} (known: ${known.join(', ')})`);
  if (typeof u.age !== 'number' || !Number.isInteger(u.age) || u.age < 1 || u.age > 120) throw new ConfigError(`--user.age: expected an integer in [1, 120], got ${JSON.stringify(u.age)}`);
  if (u.gender !== 'M' && u.gender !== 'F') throw new ConfigError(`--user.gender: expected "M" or "F", got ${JSON.stringify(u.gender)}`);
  if (typeof u.occupation !== 'string' || u.occupation.trim() === '') throw new ConfigError(`--user.occupation: expected a non-empty string, got ${JSON.stringify(u.occupation)}`);
  if (u.zip !== undefined && typeof u.zip !== 'string') throw new ConfigError(`--user.zip: expected a string, got ${JSON.stringify(u.zip)}`);
  return { user: 'new', age: u.age, gender: u.gender, occupation: u.occupation.trim().toLowerCase(), zip: (u.zip as string | undefined) ?? '' };
}

interface ScoreFlags {
  model: string;
  dataset: string;
  user: string;
  items?: string;
  itemFile?: string;
  top: number;
  batch: number;
  json?: boolean;
}

/** A JSON object typed on the command line (`flag` names it in errors; `example` is shown when it is not JSON). */
export function parseProfileJson(v: string, flag: string, expected = 'a JSON object of profile fields', example?: string): Profile {
  let o: unknown;
  try {
    o = JSON.parse(v);
  } catch {
    throw new ConfigError(`${flag}: not JSON: ${v}${example ? ` (expected e.g. '${example}')` : ''}`);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new ConfigError(`${flag}: expected ${expected}, got ${v}`);
  return o as Profile;
}

/** Item profiles of a JSON array or JSON-lines file; an item's id is its `id` field, else its 1-based position. */
export function readItemProfiles(file: string): { id: string; profile: Profile }[] {
  if (!existsSync(file)) throw new NotFoundError(`--item-file: ${file} does not exist`);
  const text = readFileSync(file, 'utf8');
  let values: unknown[];
  if (text.trimStart().startsWith('[')) {
    try {
      values = JSON.parse(text) as unknown[];
    } catch (e) {
      throw new DataError(`${file}: not valid JSON: ${(e as Error).message}`);
    }
  } else {
    values = text.split('\n').flatMap((line, i) => {
      if (line.trim() === '') return [];
      try {
        return [JSON.parse(line) as unknown];
      } catch {
        throw new DataError(`${file}:${i + 1}: not a JSON object: ${line.slice(0, 80)}`);
      }
    });
  }
  return values.map((v, i) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new DataError(`${file}: item ${i + 1} is not a JSON object`);
    const id = (v as { id?: unknown }).id;
    return { id: id === undefined ? String(i + 1) : String(id), profile: v as Profile };
  });
}

interface ScoringSet {
  readonly schema: PromptSchema;
  readonly user: Profile;
  readonly items: { id: string; title: string; profile: Profile }[];
}

/** The schema, user and candidate items of `--dataset` (ml-100k, coupon, or a schema JSON file with --item-file). */
function scoringSet(o: ScoreFlags, dataDir: string): ScoringSet {
  const builtin = BUILTIN_SCHEMAS[o.dataset];
  if (o.dataset === 'ml-100k') {
    const ml = findDataset('movielens-100k', dataDir);
    if (!ml) throw new NotFoundError(`promptrec score: movielens-100k not found in ${dataDir} (xrec data import movielens-100k --from DIR)`);
    return { schema: builtin!, user: parseUserProfile(o.user), items: loadMovieLens100K(ml).items.map((it) => ({ id: it.item, title: it.title, profile: it })) };
  }
  if (o.dataset === 'coupon') {
    const dir = findDataset('uci-in-vehicle-coupon', dataDir);
    if (!dir) throw new NotFoundError(`promptrec score: uci-in-vehicle-coupon not found in ${dataDir}`);
    return { schema: builtin!, user: parseProfileJson(o.user, '--user'), items: loadCoupons(dir).items.map((it) => ({ id: it.id, title: schemaItemText(builtin!, it), profile: it })) };
  }
  if (!o.dataset.endsWith('.json')) throw new ConfigError(`--dataset: expected ml-100k, coupon or a schema .json file, got '${o.dataset}'`);
  if (!existsSync(o.dataset)) throw new NotFoundError(`--dataset: schema file ${o.dataset} does not exist`);
  if (!o.itemFile) throw new ConfigError('--item-file: a schema dataset needs the items to rank (a JSON array or JSON-lines file of item profiles)');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(o.dataset, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${o.dataset}: not valid JSON: ${(e as Error).message}`);
  }
  const schema = parseSchema(json, o.dataset);
  return { schema, user: parseProfileJson(o.user, '--user'), items: readItemProfiles(o.itemFile).map((it) => ({ ...it, title: schemaItemText(schema, it.profile) })) };
}

export function registerPromptrec(program: Command): void {
  const pr = program.command('promptrec').description('PromptRec: cold-start recommendation by prompting a language model');
  pr.command('score')
    .description('rank items for a new user described on the command line, by p(like) from a masked or causal LM (MovieLens-100K, the coupon data, or your own data through a schema)')
    .requiredOption('--model <dir>', 'model directory with tokenizer.json (models/xrec-base-mlm: masked LM; models/xrec-base: causal LM)')
    .requiredOption('--user <json>', 'the new user\'s profile as JSON; ml-100k: {"age": 24, "gender": "M", "occupation": "technician", "zip": "85711"} (zip optional)')
    .option('--dataset <name|file>', 'ml-100k, coupon, or a schema .json (see @xrec/promptrec: parseSchema) with --item-file', 'ml-100k')
    .option('--item-file <file>', 'with a schema dataset: the items to rank, a JSON array or JSON-lines file of profiles (an "id" field names each)')
    .option('--items <ids>', 'comma-separated item ids to rank (default: every item)')
    .option('--top <n>', 'print the n most likely liked items', cliInt('--top'), 10)
    .option('--batch <n>', 'prompts per forward pass', cliInt('--batch'), 64)
    .option('--json', 'print {model, user, ranked: [{item, title, p}]} on stdout')
    .addHelpText(
      'after',
      `
Examples:
  xrec promptrec score --model models/xrec-base-mlm --user '{"age": 24, "gender": "M", "occupation": "technician", "zip": "85711"}'
  xrec promptrec score --model models/xrec-base --user '{"age": 67, "gender": "F", "occupation": "retired"}' --items 1,50,100,181 --json
  xrec promptrec score --model models/xrec-base-mlm --dataset books.schema.json --item-file books.jsonl --user '{"age": 30, "job": "nurse"}'`,
    )
    .action(async (o: ScoreFlags, cmd: Command) => {
      const dataDir = resolveDataDir(cmd.optsWithGlobals<{ dataDir?: string }>().dataDir).path;
      const set = scoringSet(o, dataDir);
      let items = set.items;
      if (o.items !== undefined) {
        const byId = new Map(items.map((i) => [i.id, i]));
        const ids = o.items.split(',').map((s) => s.trim()).filter((s) => s !== '');
        const missing = ids.filter((id) => !byId.has(id));
        if (ids.length === 0) throw new ConfigError('--items: no item ids given');
        if (missing.length) throw new NotFoundError(`--items: no ${o.dataset} item ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''} (ids: ${items.slice(0, 3).map((i) => i.id).join(', ')}, … ${items.at(-1)?.id ?? ''})`);
        items = ids.map((id) => byId.get(id)!);
      }
      if (items.length === 0) throw new ConfigError(`promptrec score: no items to rank in ${o.itemFile ?? o.dataset}`);
      await initBackend();
      const model = await TransformerLM.load(o.model);
      try {
        const tok = await loadTokenizer(join(o.model, 'tokenizer.json'));
        const tokens = promptTokens(model, tok);
        const prompts = items.map((it) => schemaPrompt(set.schema, set.user, it.profile, tokens));
        const task = terminalProgress().start('promptrec: scoring', items.length);
        const p = scorePrompts(model, tok, prompts, { batchSize: o.batch, progress: { tick: (n) => task.tick(n) } });
        task.finish();
        const ranked = items.map((it, i) => ({ item: it.id, title: it.title, p: p[i]! })).sort((a, b) => b.p - a.p || a.item.localeCompare(b.item, 'en', { numeric: true })).slice(0, o.top);
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ model: o.model, user: set.user, ranked })}\n`);
          return;
        }
        process.stdout.write(`rank  item  p(like)  title\n`);
        ranked.forEach((r, k) => process.stdout.write(`${String(k + 1).padStart(4)}  ${r.item.padStart(4)}  ${r.p.toFixed(4)}  ${r.title}\n`));
      } finally {
        model.dispose();
      }
    });
}
