import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import plugin from './index.js';

const root = mkdtempSync(join(tmpdir(), 'xrec-cycles-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const src = join(root, 'packages', 'demo', 'src');
mkdirSync(src, { recursive: true });
const files = {
  'a.ts': "import { b } from './b.js';\nexport const a = () => b();\n",
  'b.ts': "import { c } from './c.js';\nexport const b = () => c();\n",
  'c.ts': "import { a } from './a.js';\nexport const c = () => a();\n",
  'd.ts': "import type { T } from './e.js';\nexport const d = (t: T) => t;\n",
  'e.ts': "import { d } from './d.js';\nexport type T = number;\nexport const e = d;\n",
  'f.ts': "import { a } from './a.js';\nexport const f = a;\n",
};
for (const [name, code] of Object.entries(files)) writeFileSync(join(src, name), code);

const linter = new Linter({ configType: 'flat', cwd: root });
const config = [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { xrec: plugin }, rules: { 'xrec/no-cycles': 'error' } }];
const lint = (name) => linter.verify(files[name], config, { filename: join(src, name) }).map((m) => m.message);

describe('xrec/no-cycles', () => {
  it('reports a cycle on the import that closes it, with the path', () => {
    expect(lint('a.ts')).toEqual(['Import cycle: src/a.ts → src/b.ts → src/c.ts → src/a.ts. Move the shared part into its own file (one concept per file).']);
    expect(lint('c.ts')[0]).toMatch(/src\/c\.ts → src\/a\.ts → src\/b\.ts → src\/c\.ts/);
  });
  it('type-only imports do not count; a file that only depends on a cycle is not in one', () => {
    expect(lint('d.ts')).toEqual([]);
    expect(lint('e.ts')).toEqual([]);
    expect(lint('f.ts')).toEqual([]);
  });
});
