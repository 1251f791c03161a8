import { describe, it, expect } from 'vitest';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import plugin from './index.js';

const linter = new Linter({ configType: 'flat', cwd: '/r' });
const config = [
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { xrec: plugin },
    rules: { 'xrec/import-layers': 'error' },
  },
];
const lint = (code, filename) => linter.verify(code, config, { filename }).map((m) => m.message);

describe('xrec/import-layers', () => {
  it('allows imports to lower layers', () => {
    expect(lint("import { Rng } from '@xrec/core';", '/r/packages/tokenizer/src/a.ts')).toEqual([]);
    expect(lint("import { x } from '@xrec/transformer';", '/r/packages/lora/src/a.ts')).toEqual([]);
    expect(lint("import { x } from '@xrec/pepler';", '/r/apps/bench/src/a.ts')).toEqual([]);
  });
  it('rejects an import that goes up a layer', () => {
    const msgs = lint("import { x } from '@xrec/lora';", '/r/packages/transformer/src/a.ts');
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/layer 1.*may not import '@xrec\/lora' \(layer 2\)/);
    expect(lint("export * from '@xrec/tokenizer';", '/r/packages/core/src/a.ts')).toHaveLength(1);
  });
  it('rejects imports within one layer (method packages never import each other)', () => {
    expect(lint("import { x } from '@xrec/pepler';", '/r/packages/up5/src/a.ts')).toHaveLength(1);
    expect(lint("import { x } from '@xrec/metrics';", '/r/packages/data/src/a.ts')).toHaveLength(1);
  });
  it('lets only the transformer import the native kernels', () => {
    expect(lint("const m = await import('@xrec/native');", '/r/packages/transformer/src/a.ts')).toEqual([]);
    expect(lint("import { loadNativeKernels } from '@xrec/native';", '/r/packages/pepler/src/a.ts')[0]).toMatch(/may not import '@xrec\/native'/);
    expect(lint("import { loadNativeKernels } from '@xrec/native';", '/r/apps/bench/src/a.ts')[0]).toMatch(/only the transformer/);
  });
  it('rejects deep imports and relative escapes', () => {
    expect(lint("import { x } from '@xrec/core/src/rng.js';", '/r/packages/data/src/a.ts')[0]).toMatch(/Deep import/);
    expect(lint("import { x } from '../../core/src/rng.js';", '/r/packages/data/src/a.ts')[0]).toMatch(/leaves the package/);
    expect(lint("import { x } from './rng.js';", '/r/packages/core/src/a.ts')).toEqual([]);
    expect(lint("import { x } from '../../tooling/vitest.shared.mjs';", '/r/packages/core/vitest.config.ts')).toEqual([]);
  });
  it('rejects packages importing apps and dynamic upward imports', () => {
    expect(lint("import { x } from '@xrec/bench';", '/r/packages/pepler/src/a.ts')).toHaveLength(1);
    expect(lint("const m = await import('@xrec/pepler');", '/r/packages/metrics/src/a.ts')).toHaveLength(1);
  });
});
