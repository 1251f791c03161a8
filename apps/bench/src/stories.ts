/**
 * Base model (b): karpathy's stories260K (llama2.c, MIT) with its tok512 vocabulary. Looked up in
 * `$XREC_STORIES_DIR`, then inside the @xrec/transformer package (its committed test fixtures), then
 * `$XREC_SHARED_DIR/models/stories260K`.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface StoriesFiles {
  readonly model: string;
  readonly tokenizer: string;
}

function findFile(root: string, name: string, depth: number): string | undefined {
  if (depth < 0 || !existsSync(root)) return undefined;
  const direct = join(root, name);
  if (existsSync(direct)) return direct;
  for (const entry of readdirSync(root)) {
    if (entry === 'node_modules' || entry.startsWith('.') || entry === 'dist') continue;
    const p = join(root, entry);
    if (statSync(p).isDirectory()) {
      const f = findFile(p, name, depth - 1);
      if (f) return f;
    }
  }
  return undefined;
}

function inDir(dir: string | undefined): StoriesFiles | undefined {
  if (!dir) return undefined;
  const model = findFile(dir, 'stories260K.bin', 3);
  if (!model) return undefined;
  const tokenizer = existsSync(join(dirname(model), 'tok512.bin')) ? join(dirname(model), 'tok512.bin') : findFile(dir, 'tok512.bin', 3);
  return tokenizer ? { model, tokenizer } : undefined;
}

/** The stories260K files, or undefined with the places looked at. */
export function findStories(env: NodeJS.ProcessEnv = process.env): { files?: StoriesFiles; looked: string[] } {
  const looked: string[] = [];
  const candidates: (string | undefined)[] = [env.XREC_STORIES_DIR];
  try {
    candidates.push(dirname(createRequire(import.meta.url).resolve('@xrec/transformer/package.json')));
  } catch {
    // not resolvable: skip
  }
  if (env.XREC_SHARED_DIR) candidates.push(join(env.XREC_SHARED_DIR, 'models', 'stories260K'));
  for (const c of candidates) {
    if (!c) continue;
    looked.push(c);
    const f = inDir(c);
    if (f) return { files: f, looked };
  }
  return { looked };
}
