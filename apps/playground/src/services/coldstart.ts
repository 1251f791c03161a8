/**
 * The Cold-start view's service (PromptRec on MovieLens-100K): a new user's profile becomes PromptRec prompts
 * with each candidate movie, scored zero-shot by xrec-base-mlm (masked LM) and xrec-base (causal LM), and by
 * xrec-base-mlm with a soft prompt tuned at start-up on the 250 training rows of the paper's first seed (the
 * system cold-start protocol). Default candidates: the 100 most-rated movies (scoring all 1,682 takes ~10 s
 * per method on two cores).
 */
import { join } from 'node:path';
import type { Progress } from '@xrec/core';
import { findDataset, NotFoundError } from '@xrec/core';
import { findWorkspaceModel, findXrecBase } from '@xrec/bench';
import { loadMovieLens100K, type MovieLensItem, type MovieLensUser } from '@xrec/data';
import { movieLensPrompt, PROMPTREC_SEEDS, promptTokens, scorePrompts, systemColdStart, tunePrompt, type TrainablePrompt } from '@xrec/promptrec';
import { loadTokenizer, type Tokenizer } from '@xrec/tokenizer';
import { TransformerLM } from '@xrec/transformer';
import { HttpError } from '../errors.js';
import type { ColdStartRequest, ColdStartResponse, DatasetInfo, ItemsResponse, UsersResponse } from '../schemas.js';
import { searchIndex, type SearchEntry } from './search.js';

interface Scorer {
  readonly name: string;
  readonly model: TransformerLM;
  readonly tok: Tokenizer;
  readonly tokens: { sep: string; mask?: string };
  readonly prompt?: TrainablePrompt;
}

export interface ColdStartOptions {
  readonly dataDir?: string;
  /** Epochs of the start-up prompt tuning (0: no prompt-tuned method). Default 4. */
  readonly tuneEpochs?: number;
  readonly progress?: Progress;
}

export class ColdStartService {
  readonly id = 'ml-100k';
  private constructor(
    private readonly scorers: readonly Scorer[],
    private readonly items: ReadonlyMap<string, MovieLensItem>,
    private readonly entries: readonly SearchEntry[],
    private readonly defaultCandidates: readonly string[],
    private readonly occupations: readonly string[],
    private readonly ratings: number,
  ) {}

  static async load(o: ColdStartOptions = {}): Promise<ColdStartService> {
    const dir = findDataset('movielens-100k', o.dataDir);
    if (!dir) throw new NotFoundError(`movielens-100k not found in ${o.dataDir ?? 'the data directory'} (set XREC_DATA_DIR or import it with xrec data import movielens-100k)`);
    const ml = loadMovieLens100K(dir);
    const r = ml.ratings.toArray() as unknown as { user: string; item: string; rating: number }[];
    const count = new Map<string, number>();
    for (const x of r) count.set(String(x.item), (count.get(String(x.item)) ?? 0) + 1);
    const entries = ml.items.map((i) => ({ id: i.item, title: i.title, interactions: count.get(i.item) ?? 0 }));
    const popular = [...entries].sort((a, b) => b.interactions - a.interactions || Number(a.id) - Number(b.id)).slice(0, 100).map((e) => e.id);
    const scorers: Scorer[] = [];
    const load = async (dir: string, name: string) => {
      const model = await TransformerLM.load(dir);
      const tok = await loadTokenizer(join(dir, 'tokenizer.json'));
      return { name, model, tok, tokens: promptTokens(model, tok) };
    };
    const mlmDir = findWorkspaceModel('xrec-base-mlm', 'XREC_BASE_MLM_MODEL').dir;
    const baseDir = findXrecBase().dir;
    if (!mlmDir && !baseDir) throw new NotFoundError('models/xrec-base and models/xrec-base-mlm not found: the cold-start view needs a shipped base model');
    const mlm = mlmDir ? await load(mlmDir, 'zero-shot xrec-base-mlm') : undefined;
    if (mlm) scorers.push(mlm);
    if (baseDir) scorers.push(await load(baseDir, 'zero-shot xrec-base'));
    const epochs = o.tuneEpochs ?? 4;
    if (mlm && epochs > 0) {
      // the system cold-start protocol's first seed: 250 training and 50 validation rows
      const users = new Map(ml.users.map((u) => [u.user, u]));
      const items = new Map(ml.items.map((i) => [i.item, i]));
      const split = systemColdStart(r.length, PROMPTREC_SEEDS[0]);
      const rows = (idx: readonly number[]) => idx.map((i) => ({ prompt: movieLensPrompt(users.get(String(r[i]!.user))!, items.get(String(r[i]!.item))!, mlm.tokens), click: (r[i]!.rating >= 4 ? 1 : 0) as 0 | 1 }));
      const tuned = await tunePrompt(mlm.model, mlm.tok, rows(split.train), rows(split.valid), { seed: PROMPTREC_SEEDS[0], epochs, patience: 2, ...(o.progress ? { progress: o.progress } : {}) });
      scorers.push({ ...mlm, name: 'prompt-tuned xrec-base-mlm', prompt: tuned.prompt });
    }
    const occupations = [...new Set(ml.users.map((u) => u.occupation))].sort();
    return new ColdStartService(scorers, new Map(ml.items.map((i) => [i.item, i])), entries, popular, occupations, r.length);
  }

  info(): DatasetInfo {
    return { id: this.id, view: 'coldstart', name: 'MovieLens-100K (ranks the 100 most-rated movies unless candidates are given)', users: 0, items: this.items.size, records: this.ratings, methods: this.scorers.map((s) => s.name), occupations: [...this.occupations] };
  }

  searchUsers(): UsersResponse {
    return { dataset: this.id, total: 0, users: [] };
  }

  searchItems(query: string, limit: number): ItemsResponse {
    return { dataset: this.id, ...searchIndex(this.entries, query, limit, 'items') };
  }

  recommend(req: ColdStartRequest): ColdStartResponse {
    const p = req.profile;
    const occupation = p.occupation.trim().toLowerCase();
    if (!this.occupations.includes(occupation)) throw new HttpError(400, 'bad_request', `unknown occupation '${p.occupation}' (known: ${this.occupations.join(', ')})`, 'body.profile.occupation');
    const user: MovieLensUser = { user: 'new', age: p.age, gender: p.gender, occupation, zip: p.zip ?? '' };
    const ids = req.candidates ?? this.defaultCandidates;
    const missing = ids.filter((id) => !this.items.has(id));
    if (missing.length) throw new HttpError(404, 'not_found', `no MovieLens-100K item ${missing.slice(0, 5).map((m) => `'${m}'`).join(', ')}${missing.length > 5 ? ', …' : ''} (ids are 1–${this.items.size})`, 'body.candidates');
    const wanted = req.methods ?? this.scorers.map((s) => s.name);
    const unknown = wanted.filter((w) => !this.scorers.some((s) => s.name === w));
    if (unknown.length) throw new HttpError(400, 'bad_request', `unknown method ${unknown.map((u) => `'${u}'`).join(', ')} (known: ${this.scorers.map((s) => s.name).join(', ')})`, 'body.methods');
    const items = [...new Set(ids)].map((id) => this.items.get(id)!);
    const k = req.k ?? 10;
    const results = this.scorers
      .filter((s) => wanted.includes(s.name))
      .map((s) => {
        const t0 = performance.now();
        const probs = scorePrompts(s.model, s.tok, items.map((it) => movieLensPrompt(user, it, s.tokens)), { batchSize: 64, ...(s.prompt ? { prompt: s.prompt } : {}) });
        const ranked = items.map((it, i) => ({ item: it.item, title: it.title, p: probs[i]! })).sort((a, b) => b.p - a.p || Number(a.item) - Number(b.item)).slice(0, k);
        return { method: s.name, ranked, milliseconds: performance.now() - t0 };
      });
    const first = this.scorers[0]!;
    return { dataset: this.id, prompt: movieLensPrompt(user, items[0]!, first.tokens), results };
  }

  dispose(): void {
    const seen = new Set<TransformerLM>();
    for (const s of this.scorers) {
      s.prompt?.dispose();
      if (!seen.has(s.model)) s.model.dispose();
      seen.add(s.model);
    }
  }
}
