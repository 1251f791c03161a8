import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetForTest, resolveDataDir, silentProgress } from '@xrec/core';
import { loadPeplerModel } from '@xrec/bench';
import { buildApp } from './app.js';
import type { ColdStartResponse, DatasetsResponse, ExplainResponse, FairResponse, ItemsResponse, ReportsResponse, UsersResponse } from './schemas.js';
import { loadPlaygroundModels, type PlaygroundModels } from './services/index.js';

const dir = mkdtempSync(join(tmpdir(), 'xrec-playground-'));
let models: PlaygroundModels;
let app: FastifyInstance;
const ml = datasetForTest('movielens-100k');
const ins = datasetForTest('insurance-fairness');

beforeAll(async () => {
  // smoke-profile models trained into a temporary models folder on first start (as `xrec serve --profile smoke`)
  models = await loadPlaygroundModels({ modelsDir: dir, dataDir: resolveDataDir().path, profile: 'smoke', tuneEpochs: 1, progress: silentProgress });
  app = await buildApp({ models, webDir: join(dir, 'no-web') });
}, 300_000);

afterAll(async () => {
  await app?.close();
  models?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });

describe('datasets, users, items', () => {
  it('lists the loaded views; searches users and items by substring; bad queries are 400 with the field', async () => {
    const ds = (await app.inject('/api/datasets')).json<DatasetsResponse>();
    const explain = ds.datasets.find((d) => d.view === 'explain')!;
    expect(explain.variants!.map((v) => v.id)).toEqual(['pepler-d', 'pepler', 'pepler-mlp']);
    expect(explain.variants!.find((v) => v.id === 'pepler-mlp')!.rating).toBe(true);
    const users = (await app.inject('/api/users?limit=3')).json<UsersResponse>();
    expect(users.users).toHaveLength(3);
    expect(users.total).toBe(explain.users);
    const q = users.users[1]!.id.slice(2, 7);
    const found = (await app.inject(`/api/users?query=${q.toLowerCase()}`)).json<UsersResponse>();
    expect(found.users.every((u) => u.id.toLowerCase().includes(q.toLowerCase()))).toBe(true);
    expect(found.users.map((u) => u.id)).toContain(users.users[1]!.id);
    const items = (await app.inject('/api/items?limit=100')).json<ItemsResponse>();
    expect(items.items.length).toBe(explain.items);
    const bad = await app.inject('/api/users?limit=0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'bad_request', field: 'querystring.limit' });
    expect((await app.inject('/api/users?limit=abc')).json()).toMatchObject({ field: 'querystring.limit' });
    const unknown = await app.inject('/api/items?dataset=nope');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toMatch(/unknown dataset 'nope' \(loaded: explain/);
  });
});

describe('POST /api/explain', () => {
  it("answers each variant with the model's own explanation, the retrieval baseline, the reference when the pair is in the data", async () => {
    const [pair] = models.explain!.samplePairs(1);
    const r = await post('/api/explain', pair);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json<ExplainResponse>();
    expect(body.explanations.map((e) => e.variant)).toEqual(['pepler-d', 'pepler', 'pepler-mlp']);
    // the API gives exactly what the package gives for the saved model
    const saved = await loadPeplerModel(join(dir, 'smoke', 'runs', 'pepler-d', 'split1-seed1', 'model'));
    expect(body.explanations[0]!.text).toBe(await saved.explain(pair!.user, pair!.item));
    saved.dispose();
    const mlp = body.explanations.find((e) => e.variant === 'pepler-mlp')!;
    expect(mlp.rating).toBeGreaterThanOrEqual(1);
    expect(mlp.rating).toBeLessThanOrEqual(5);
    expect(body.reference?.text.length).toBeGreaterThan(0);
    expect(body.retrieval.text.length).toBeGreaterThan(0);
    for (const f of body.retrieval.features) expect(body.retrieval.text.toLowerCase()).toContain(f);
    const one = (await post('/api/explain', { ...pair, variants: ['pepler'] })).json<ExplainResponse>();
    expect(one.explanations.map((e) => e.variant)).toEqual(['pepler']);
    expect(one.rating).toBeUndefined();
  });

  it('batches concurrent requests and answers each as if alone', async () => {
    const pairs = models.explain!.samplePairs(40).filter((p, i, a) => a.findIndex((q) => q.user === p.user && q.item === p.item) === i).slice(0, 6);
    const alone = [];
    for (const p of pairs) alone.push((await post('/api/explain', { ...p, variants: ['pepler'] })).json<ExplainResponse>().explanations[0]!.text);
    const before = models.explain!.batchSizes('pepler').length;
    const together = await Promise.all(pairs.map((p) => post('/api/explain', { ...p, variants: ['pepler'] })));
    expect(together.map((r) => r.json<ExplainResponse>().explanations[0]!.text)).toEqual(alone);
    const sizes = models.explain!.batchSizes('pepler').slice(before);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(pairs.length);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
  });

  it('bad input: 400/404/413/415 JSON errors naming the field; the server stays up', async () => {
    const [pair] = models.explain!.samplePairs(1);
    const cases: [unknown, number, string | undefined, RegExp][] = [
      [{ user: 'nobody', item: pair!.item }, 404, 'body.user', /user 'nobody' is not among the \d+ users/],
      [{ user: pair!.user, item: 'nothing' }, 404, 'body.item', /item 'nothing'/],
      [{ ...pair, variants: ['gpt-9'] }, 400, 'body.variants', /unknown variant 'gpt-9' \(loaded: pepler-d, pepler, pepler-mlp\)/],
      [{ user: pair!.user }, 400, 'body.item', /must have required property 'item'/],
      [{ ...pair, extra: 1 }, 400, 'body.extra', /must NOT have additional properties/],
      [{ user: 7, item: pair!.item }, 400, 'body.user', /must be string/],
      [{ user: 'x'.repeat(300), item: pair!.item }, 400, 'body.user', /must NOT have more than 200 characters/],
    ];
    for (const [payload, status, field, message] of cases) {
      const r = await post('/api/explain', payload);
      expect(r.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(status);
      const e = r.json<{ code: string; message: string; field?: string }>();
      expect(e.field).toBe(field);
      expect(e.message).toMatch(message);
      expect(r.body).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
    }
    const big = await app.inject({ method: 'POST', url: '/api/explain', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ user: 'a'.repeat(20_000), item: 'b' }) });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('payload_too_large');
    const notJson = await app.inject({ method: 'POST', url: '/api/explain', headers: { 'content-type': 'application/json' }, payload: '{user' });
    expect(notJson.statusCode).toBe(400);
    const xml = await app.inject({ method: 'POST', url: '/api/explain', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().code).toBe('unsupported_media_type');
    expect((await app.inject('/api/nothing')).json()).toEqual({ code: 'not_found', message: 'no route GET /api/nothing' });
    expect((await app.inject('/api/health')).json()).toMatchObject({ status: 'ok', views: { explain: true } });
  });
});

describe.skipIf(!ml.path)(`POST /api/coldstart ${ml.skipReason ?? ''}`, () => {
  it('ranks candidates for a new profile by p(like) per method; bad profiles are 400 naming the field', async () => {
    const ok = await post('/api/coldstart', { profile: { age: 24, gender: 'M', occupation: 'technician', zip: '85711' }, candidates: ['1', '50', '100', '181', '258'], k: 3 });
    expect(ok.statusCode, ok.body).toBe(200);
    const r = ok.json<ColdStartResponse>();
    expect(r.results.map((x) => x.method)).toEqual(['zero-shot xrec-base-mlm', 'zero-shot xrec-base', 'prompt-tuned xrec-base-mlm']);
    for (const m of r.results) {
      expect(m.ranked).toHaveLength(3);
      for (let i = 1; i < 3; i++) expect(m.ranked[i - 1]!.p).toBeGreaterThanOrEqual(m.ranked[i]!.p);
      for (const x of m.ranked) expect(['1', '50', '100', '181', '258']).toContain(x.item);
    }
    expect(r.prompt).toMatch(/^The man is a young technician living in Arizona\./);
    // the profile matters: another user gets other probabilities
    const other = (await post('/api/coldstart', { profile: { age: 67, gender: 'F', occupation: 'retired' }, candidates: ['1', '50', '100', '181', '258'], k: 5, methods: ['zero-shot xrec-base'] })).json<ColdStartResponse>();
    expect(other.results).toHaveLength(1);
    expect(other.results[0]!.ranked.map((x) => x.p)).not.toEqual(r.results[1]!.ranked.map((x) => x.p));
    const bad: [unknown, string][] = [
      [{ profile: { age: 0, gender: 'M', occupation: 'technician' } }, 'body.profile.age'],
      [{ profile: { age: 30, gender: 'X', occupation: 'technician' } }, 'body.profile.gender'],
      [{ profile: { age: 30, gender: 'F', occupation: 'astronaut' } }, 'body.profile.occupation'],
      [{ profile: { age: 30, gender: 'F', occupation: 'writer' }, candidates: ['99999'] }, 'body.candidates'],
      [{ profile: { age: 30, gender: 'F', occupation: 'writer' }, methods: ['magic'] }, 'body.methods'],
      [{ profile: { age: 30, gender: 'F' } }, 'body.profile.occupation'],
    ];
    for (const [payload, field] of bad) {
      const e = await post('/api/coldstart', payload);
      expect(e.statusCode).toBeGreaterThanOrEqual(400);
      expect(e.statusCode).toBeLessThan(500);
      expect(e.json().field, JSON.stringify(payload)).toBe(field);
    }
  });
});

describe.skipIf(!ins.path)(`POST /api/fair-recommend ${ins.skipReason ?? ''}`, () => {
  it('top-k with and without the prompts; hiding nothing changes nothing; bad attributes and users are 4xx', async () => {
    const ds = (await app.inject('/api/datasets')).json<DatasetsResponse>().datasets.find((d) => d.view === 'fairness')!;
    expect(ds.attributes!.map((a) => a.name)).toEqual(['gender', 'marital_status', 'occupation', 'activity']);
    const user = (await app.inject('/api/users?dataset=insurance&limit=1')).json<UsersResponse>().users[0]!.id;
    const none = (await post('/api/fair-recommend', { user, hide: [], k: 4 })).json<FairResponse>();
    expect(none.fair).toEqual(none.plain);
    expect(none.plain).toHaveLength(4);
    const hid = (await post('/api/fair-recommend', { user, hide: ['gender', 'activity'], k: 4 })).json<FairResponse>();
    expect(hid.hidden).toEqual(['gender', 'activity']);
    expect(hid.plain).toEqual(none.plain);
    for (const p of Object.values(hid.attacker)) expect(p.with.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect((await post('/api/fair-recommend', { user, hide: ['age'] })).json()).toMatchObject({ code: 'bad_request', field: 'body.hide' });
    expect((await post('/api/fair-recommend', { user: 'ghost', hide: [] })).statusCode).toBe(404);
    expect((await post('/api/fair-recommend', { user: 'new', hide: [], history: ['NOPE'] })).json()).toMatchObject({ code: 'not_found', field: 'body.history' });
  });
});

describe('benchmark reports and the OpenAPI document', () => {
  it("reads the shipped reports of every task into tables; the OpenAPI document lists every endpoint", async () => {
    const { reports } = (await app.inject('/api/bench/reports')).json<ReportsResponse>();
    const tasks = new Set(reports.map((r) => r.task));
    for (const t of ['explain', 'coldstart', 'fairness', 'rec']) expect(tasks.has(t as never), t).toBe(true);
    for (const r of reports) for (const row of r.rows) expect(row).toHaveLength(r.columns.length);
    const shipped = reports.find((r) => r.source === 'apps/bench/results/fairness-quick/insurance/report.json')!;
    expect(shipped.columns).toContain('AUC marital_status');
    expect(shipped.goals.some((g) => !g.pass)).toBe(true);
    // the smoke run trained for this test shows too
    expect(reports.some((r) => r.source === 'models/smoke/report.json')).toBe(true);
    const doc = (await app.inject('/api/openapi.json')).json<{ paths: Record<string, unknown> }>();
    for (const p of ['/api/datasets', '/api/users', '/api/items', '/api/explain', '/api/coldstart', '/api/fair-recommend', '/api/bench/reports']) expect(Object.keys(doc.paths)).toContain(p);
  });
});
