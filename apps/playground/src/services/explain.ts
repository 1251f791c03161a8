/**
 * The Explain view's service: the PEPLER models of one `xrec bench explain` output folder (each run that saved
 * a model), the dataset they were trained on, the retrieval baseline over the same training rows, and the
 * search indexes of the users and items the models know. Concurrent requests for one variant are generated
 * in one batch.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ExplanationRecord, Progress } from '@xrec/core';
import { CheckpointError, NotFoundError } from '@xrec/core';
import { loadPeplerModel, methodLabel, RetrievalBaseline, splitRows } from '@xrec/bench';
import { loadExplanationDataset } from '@xrec/data';
import type { Pepler } from '@xrec/pepler';
import { Batcher } from '../batcher.js';
import { HttpError } from '../errors.js';
import type { DatasetInfo, ExplainRequest, ExplainResponse, ItemsResponse, UsersResponse } from '../schemas.js';
import { FeatureMatcher } from '../text-features.js';
import { searchIndex, type SearchEntry } from './search.js';

interface LoadedVariant {
  readonly id: string;
  readonly label: string;
  readonly model: Pepler;
  readonly batcher: Batcher<{ user: string; item: string }, { text: string; rating?: number }>;
}

interface ExplainReport {
  format?: string;
  dataset?: { name: string; source: string };
  profile?: { maxTrain: number; maxValidation: number; maxTest: number };
  runs?: { method: string; split: number; seed: number; model?: string }[];
}

export class ExplainService {
  private constructor(
    readonly id: string,
    readonly name: string,
    private readonly variants: readonly LoadedVariant[],
    private readonly records: readonly ExplanationRecord[],
    private readonly pairs: ReadonlyMap<string, ExplanationRecord>,
    private readonly retrieval: RetrievalBaseline,
    private readonly matcher: FeatureMatcher,
    private readonly users: readonly SearchEntry[],
    private readonly items: readonly SearchEntry[],
    private readonly trainRows: readonly number[],
    /** Each user's training items (the item search lists them first; unknown ids are refused by lookup). */
    private readonly itemsOf: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly itemIds: ReadonlySet<string>,
  ) {}

  /** Load every saved model of split 1 in `dir` (a `xrec bench explain` output folder). */
  static async load(dir: string, root: string, progress?: Progress): Promise<ExplainService> {
    const reportPath = join(dir, 'report.json');
    if (!existsSync(reportPath)) throw new NotFoundError(`${reportPath} not found: not a \`xrec bench explain\` output folder`);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as ExplainReport;
    if (report.format !== 'xrec-bench-explain' || !report.dataset || !report.profile || !report.runs) throw new CheckpointError(`${reportPath} is not an xrec explain report`);
    // the report names its dataset's folder relative to the repository (or absolute); a run made elsewhere on the
    // bundled data is found again by name
    const src = isAbsolute(report.dataset.source) ? report.dataset.source : join(root, report.dataset.source);
    const ds = await loadExplanationDataset(!existsSync(src) && report.dataset.name === 'amazon-musical-instruments-5core' ? 'default' : src);
    const rows = splitRows(ds.records, ds.splits[0]!, report.profile);
    const runs = report.runs.filter((r) => r.model && r.split === 1).sort((a, b) => a.seed - b.seed);
    const variants: LoadedVariant[] = [];
    const task = progress?.start('playground: loading PEPLER models', runs.length);
    for (const r of runs) {
      if (variants.some((v) => v.id === r.method)) continue; // first seed only
      const model = await loadPeplerModel(join(dir, r.model!));
      const batcher = new Batcher<{ user: string; item: string }, { text: string; rating?: number }>(async (pairs) => {
        const texts = await model.explainBatch(pairs, { batchSize: 32 });
        const ratings = model.hasRatingHead ? model.predictRatingBatch(pairs) : undefined;
        return texts.map((text, i) => ({ text, ...(ratings ? { rating: ratings[i]! } : {}) }));
      }, 32); // one generation round can serve 32 waiting requests (the load check's larger level)
      variants.push({ id: r.method, label: methodLabel(r.method), model, batcher });
      task?.tick(1, { variant: r.method });
    }
    task?.finish();
    const train = rows.train.map((i) => ds.records[i]!);
    const count = (key: (r: ExplanationRecord) => string) => {
      const m = new Map<string, number>();
      for (const r of train) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
      return [...m].map(([id, n]) => ({ id, interactions: n }));
    };
    const pairs = new Map(ds.records.map((r) => [`${r.user}\u0000${r.item}`, r] as const));
    const itemsOf = new Map<string, Set<string>>();
    for (const r of train) itemsOf.set(r.user, (itemsOf.get(r.user) ?? new Set()).add(r.item));
    const items = count((r) => r.item);
    return new ExplainService('explain', ds.name, variants, ds.records, pairs, new RetrievalBaseline(train), new FeatureMatcher(ds.features), count((r) => r.user), items, rows.train, itemsOf, new Set(items.map((i) => i.id)));
  }

  info(): DatasetInfo {
    return {
      id: this.id,
      view: 'explain',
      name: this.name,
      users: this.users.length,
      items: this.items.length,
      records: this.trainRows.length,
      variants: this.variants.map((v) => ({ id: v.id, label: v.label, rating: v.model.hasRatingHead })),
    };
  }

  searchUsers(query: string, limit: number): UsersResponse {
    return { dataset: this.id, ...searchIndex(this.users, query, limit, 'users') };
  }

  searchItems(query: string, limit: number, user?: string): ItemsResponse {
    return { dataset: this.id, ...searchIndex(this.items, query, limit, 'items', (user !== undefined && this.itemsOf.get(user)) || new Set()) };
  }

  async explain(req: ExplainRequest): Promise<ExplainResponse> {
    const { user, item } = req;
    if (!this.itemsOf.has(user)) throw new HttpError(404, 'not_found', `user '${user}' is not among the ${this.users.length} users the models were trained on`, 'body.user');
    if (!this.itemIds.has(item)) throw new HttpError(404, 'not_found', `item '${item}' is not among the ${this.items.length} items the models were trained on`, 'body.item');
    const wanted = req.variants ?? this.variants.map((v) => v.id);
    const unknown = wanted.filter((w) => !this.variants.some((v) => v.id === w));
    if (unknown.length) throw new HttpError(400, 'bad_request', `unknown variant ${unknown.map((u) => `'${u}'`).join(', ')} (loaded: ${this.variants.map((v) => v.id).join(', ') || 'none'})`, 'body.variants');
    const chosen = this.variants.filter((v) => wanted.includes(v.id));
    const outs = await Promise.all(chosen.map((v) => v.batcher.submit({ user, item })));
    const explanations = chosen.map((v, i) => ({ variant: v.id, label: v.label, text: outs[i]!.text, features: this.matcher.find(outs[i]!.text), ...(outs[i]!.rating !== undefined ? { rating: outs[i]!.rating } : {}) }));
    const ratings = explanations.flatMap((e) => (e.rating === undefined ? [] : [e.rating]));
    const ref = this.pairs.get(`${user}\u0000${item}`);
    const retrieved = this.retrieval.explain(user, item);
    const uf = this.variants[0]?.model.features.userFeatures(user);
    return {
      dataset: this.id,
      user,
      item,
      explanations,
      ...(ref ? { reference: { text: ref.sentence, rating: ref.rating, feature: ref.feature, features: this.matcher.find(ref.sentence) } } : {}),
      retrieval: { text: retrieved, features: this.matcher.find(retrieved) },
      ...(ratings.length ? { rating: ratings.reduce((a, b) => a + b, 0) / ratings.length } : {}),
      userFeatures: uf ? [...uf].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 8).map(([f]) => f) : [],
    };
  }

  /** Sizes of the generation batches a variant has run (concurrent requests share one). */
  batchSizes(variant: string): readonly number[] {
    return this.variants.find((v) => v.id === variant)?.batcher.batchSizes ?? [];
  }

  /** Known (user, item) training pairs — for the load check and the tests. */
  samplePairs(n: number): { user: string; item: string }[] {
    return this.trainRows.slice(0, n).map((i) => ({ user: this.records[i]!.user, item: this.records[i]!.item }));
  }

  dispose(): void {
    for (const v of this.variants) v.model.dispose();
  }
}
