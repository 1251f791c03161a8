import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@xrec/core';
import { runBenchExplain } from '../run-explain.js';
import { explainMethods, getExplainMethod, parseMethods, registerExplainMethod, unregisterExplainMethod } from './registry.js';
import type { ExplainMethod } from './method.js';
import { PROFILES } from '../profiles.js';

// A third-party method in a few lines: a registry entry and a train/run function. Nothing else in the bench
// is touched, yet it gets its own report row, label and goal checks.
const echoFeature: ExplainMethod = {
  id: 'toy-echo',
  label: 'Toy: echo the feature',
  baseModel: 'none',
  role: 'variant',
  ratingHead: false,
  usrGoal: false,
  cost: 0,
  workUnits: 1,
  config: () => ({ template: 'the {feature} is great' }),
  run: async ({ ctx, pairs }) => {
    // the feature the user mentioned last in training
    const featureOf = new Map(ctx.rows.train.map((r) => [ctx.ds.records[r]!.user, ctx.ds.records[r]!.feature]));
    const generated = pairs.map((p) => `the ${featureOf.get(p.user) ?? 'sound'} is great`);
    return { generated, trainSeconds: 0, generateSeconds: 0, tokensPerSecond: 0, epochs: [], stages: [], savedModel: false };
  },
};

const dir = mkdtempSync(join(tmpdir(), 'xrec-registry-'));
afterAll(() => {
  unregisterExplainMethod('toy-echo');
  rmSync(dir, { recursive: true, force: true });
});

describe('method registry', () => {
  it('lists the built-in methods in report order and rejects unknown or duplicate ids', () => {
    expect(explainMethods().map((m) => m.id).slice(0, 3)).toEqual(['retrieval', 'pepler-d', 'pepler']);
    expect(() => getExplainMethod('gpt5')).toThrow(/unknown method 'gpt5' \(known: retrieval, pepler-d/);
    expect(() => registerExplainMethod({ ...echoFeature, id: 'pepler' })).toThrow(ConfigError);
    expect(() => registerExplainMethod({ ...echoFeature, id: 'Bad Id' })).toThrow(/kebab-case/);
    expect(parseMethods('pepler, retrieval,pepler', PROFILES.smoke)).toEqual(['pepler', 'retrieval']);
  });

  it('a toy method registered from outside appears in the report, its label and the goal checks', async () => {
    registerExplainMethod(echoFeature);
    expect(parseMethods(undefined, PROFILES.smoke)).toContain('toy-echo');
    const r = await runBenchExplain({ dataset: 'default', profile: 'smoke', methods: 'retrieval,toy-echo', out: join(dir, 'toy') });
    expect(r.runs.map((x) => x.method)).toEqual(['retrieval', 'toy-echo']);
    const md = readFileSync(join(dir, 'toy', 'report.md'), 'utf8');
    expect(md).toContain('| Toy: echo the feature |');
    expect(md).toMatch(/(PASS|FAIL): Toy: echo the feature FMR/);
    expect(md).toMatch(/best variant by BLEU-4 \(Toy: echo the feature\)/);
    expect(r.runs[1]!.generated).toBe('runs/toy-echo/split1-seed1/generated.jsonl');
    expect(r.runs[1]!.metrics.fcr).toBeGreaterThan(0); // it names features
  });
});
