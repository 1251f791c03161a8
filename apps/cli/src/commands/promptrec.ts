/**
 * `xrec promptrec score`: cold-start recommendations for a user typed on the command line — the user's
 * profile (age, gender, occupation, zip) and every MovieLens-100K movie (or the given ones) become PromptRec
 * prompts, and a masked LM (xrec-base-mlm) or a causal LM (xrec-base) answers "will this user like this
 * movie?"; the movies are printed ranked by p(like). No interactions of the user are needed.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { ConfigError, findDataset, NotFoundError, resolveDataDir } from '@xrec/core';
import { loadMovieLens100K, type MovieLensUser } from '@xrec/data';
import { movieLensPrompt, promptTokens, scorePrompts } from '@xrec/promptrec';
import { loadTokenizer } from '@xrec/tokenizer';
import { initBackend, TransformerLM } from '@xrec/transformer';
import { cliInt } from '../args.js';
import { terminalProgress } from '../progress.js';

/** Parse and check `--user`: a JSON object with age (1–120), gender (M or F), occupation and an optional zip. */
export function parseUserProfile(v: string): MovieLensUser {
  let o: unknown;
  try {
    o = JSON.parse(v);
  } catch {
    throw new ConfigError(`--user: not JSON: ${v} (expected e.g. '{"age": 24, "gender": "M", "occupation": "technician", "zip": "85711"}')`);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new ConfigError('--user: expected a JSON object with age, gender, occupation (and zip)');
  const u = o as Record<string, unknown>;
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
  user: MovieLensUser;
  items?: string;
  top: number;
  batch: number;
  json?: boolean;
}

export function registerPromptrec(program: Command): void {
  const pr = program.command('promptrec').description('PromptRec: cold-start recommendation by prompting a language model');
  pr.command('score')
    .description('rank MovieLens-100K movies for a new user described on the command line, by p(like) from a masked or causal LM')
    .requiredOption('--model <dir>', 'model directory with tokenizer.json (models/xrec-base-mlm: masked LM; models/xrec-base: causal LM)')
    .requiredOption('--user <json>', 'the new user: {"age": 24, "gender": "M", "occupation": "technician", "zip": "85711"} (zip optional)', parseUserProfile)
    .option('--items <ids>', 'comma-separated MovieLens-100K item ids to rank (default: every movie)')
    .option('--top <n>', 'print the n most likely liked movies', cliInt('--top'), 10)
    .option('--batch <n>', 'prompts per forward pass', cliInt('--batch'), 64)
    .option('--json', 'print {model, user, ranked: [{item, title, p}]} on stdout')
    .addHelpText(
      'after',
      `
Examples:
  xrec promptrec score --model models/xrec-base-mlm --user '{"age": 24, "gender": "M", "occupation": "technician", "zip": "85711"}'
  xrec promptrec score --model models/xrec-base --user '{"age": 67, "gender": "F", "occupation": "retired"}' --items 1,50,100,181 --json`,
    )
    .action(async (o: ScoreFlags, cmd: Command) => {
      const dataDir = resolveDataDir(cmd.optsWithGlobals<{ dataDir?: string }>().dataDir).path;
      const ml = findDataset('movielens-100k', dataDir);
      if (!ml) throw new NotFoundError(`promptrec score: movielens-100k not found in ${dataDir} (xrec data import movielens-100k --from DIR)`);
      const data = loadMovieLens100K(ml);
      let items = data.items;
      if (o.items !== undefined) {
        const byId = new Map(data.items.map((i) => [i.item, i]));
        const ids = o.items.split(',').map((s) => s.trim()).filter((s) => s !== '');
        const missing = ids.filter((id) => !byId.has(id));
        if (ids.length === 0) throw new ConfigError('--items: no item ids given');
        if (missing.length) throw new NotFoundError(`--items: no MovieLens-100K item ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''} (ids are 1–${data.items.length})`);
        items = ids.map((id) => byId.get(id)!);
      }
      await initBackend();
      const model = await TransformerLM.load(o.model);
      try {
        const tok = await loadTokenizer(join(o.model, 'tokenizer.json'));
        const tokens = promptTokens(model, tok);
        const task = terminalProgress().start('promptrec: scoring', items.length);
        const p = scorePrompts(model, tok, items.map((it) => movieLensPrompt(o.user, it, tokens)), { batchSize: o.batch, progress: { tick: (n) => task.tick(n) } });
        task.finish();
        const ranked = items.map((it, i) => ({ item: it.item, title: it.title, p: p[i]! })).sort((a, b) => b.p - a.p || Number(a.item) - Number(b.item)).slice(0, o.top);
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ model: o.model, user: o.user, ranked })}\n`);
          return;
        }
        process.stdout.write(`rank  item  p(like)  title\n`);
        ranked.forEach((r, k) => process.stdout.write(`${String(k + 1).padStart(4)}  ${r.item.padStart(4)}  ${r.p.toFixed(4)}  ${r.title}\n`));
      } finally {
        model.dispose();
      }
    });
}
