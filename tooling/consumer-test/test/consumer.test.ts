// The adopter's path of the README ("Using xrec packages in your project"), end to end: pack every package with
// tooling/scripts/pack.mjs, install the tarballs into a fresh npm project in the system temp folder (outside the
// workspace), run each package's README quick start there with plain `node`, and check that nothing warns; then
// load a saved xrec model directory's tokenizer with Hugging Face transformers.js (local files only) and
// compare ids with @xrec/tokenizer. Needs the npm registry for the third-party dependencies; skips, saying
// so, when it cannot reach it.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'xrec-consumer-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A consumer's shell, not this workspace's: drop the npm_/pnpm_ settings that pnpm exports to scripts (npm
// warns about the ones it does not know).
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm|pnpm)_/i.test(k)));
const npm = (args: string[], cwd: string, timeout = 600_000) =>
  spawnSync('npm', args, { cwd, encoding: 'utf8', timeout, env: { ...cleanEnv, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' } });
const ping = npm(['ping'], work, 60_000);
const offline = ping.status !== 0 ? `SKIPPED: the npm registry is not reachable (npm ping: ${(ping.stderr || ping.error?.message || '').trim().split('\n').pop()})` : undefined;
if (offline) console.warn(offline);

/** The first ```ts block of a package README, as ES2022 JavaScript. */
function quickStartJs(pkgDir: string): string {
  const md = readFileSync(join(pkgDir, 'README.md'), 'utf8');
  const m = /```(?:ts|typescript)\n([\s\S]*?)```/.exec(md);
  if (!m) throw new Error(`${pkgDir}/README.md has no quick start`);
  return ts.transpileModule(m[1]!, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
}

const WARNING = /warn|deprecat|already registered|overwrit/i;

describe.skipIf(offline !== undefined)('xrec packages in a project outside the workspace (packed tarballs, plain npm)', () => {
  const packs = join(work, 'packs');
  const app = join(work, 'app');
  let names: string[] = [];

  it('packs every package and installs the tarballs with npm, with no warnings', () => {
    const p = spawnSync(process.execPath, [join(root, 'tooling', 'scripts', 'pack.mjs'), '--out', packs], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    const { tarballs } = JSON.parse(p.stdout) as { tarballs: { name: string; file: string }[] };
    names = tarballs.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['@xrec/core', '@xrec/tokenizer', '@xrec/transformer', '@xrec/lora', '@xrec/pepler', '@xrec/data', '@xrec/metrics', '@xrec/native', '@xrec/prompts', '@xrec/promptrec', '@xrec/p5', '@xrec/up5']));
    mkdirSync(app);
    // npm ≥ 11.16 runs a dependency's install script only when the project allows it (npm 10, bundled with
    // Node 20, runs them all): allow @xrec/native's (it compiles the kernels), decline tfjs's core-js banner.
    const native = tarballs.find((t) => t.name === '@xrec/native')!.file;
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'xrec-consumer', private: true, type: 'module', allowScripts: { [`file:${native}`]: true, 'core-js': false } }));
    const r = npm(['install', '--no-audit', '--no-fund', ...tarballs.map((t) => t.file)], app);
    expect(r.status, r.stderr).toBe(0);
    const warnings = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /npm warn/i.test(l) && !/deprecated/i.test(l));
    expect(warnings).toEqual([]);
    // one copy of tfjs (two copies print hundreds of "already registered" warnings at run time)
    const tfjs = readdirSync(join(app, 'node_modules', '@tensorflow')).filter((d) => d === 'tfjs-core');
    expect(tfjs).toHaveLength(1);
  });

  for (const pkg of ['core', 'tokenizer', 'metrics', 'data', 'native', 'transformer', 'lora', 'prompts', 'pepler', 'promptrec', 'p5', 'up5']) {
    it(`the @xrec/${pkg} README quick start runs there with zero warnings`, () => {
      const file = join(app, `quickstart-${pkg}.mjs`);
      writeFileSync(file, `${quickStartJs(join(root, 'packages', pkg))}\nconsole.log(JSON.stringify({ ok: true }));\n`);
      const r = spawnSync(process.execPath, [file], { cwd: app, encoding: 'utf8', timeout: 300_000 });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout.trim().split('\n').pop()).toBe('{"ok":true}');
      const noisy = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => WARNING.test(l));
      expect(noisy, `warnings of the ${pkg} quick start`).toEqual([]);
    });
  }

  it("transformers.js (AutoTokenizer, local files only) loads a saved xrec model's tokenizer with identical ids", () => {
    // the tokenizer files of the shipped xrec-base, as `xrec pretrain` / `xrec train lm` write them (HF layout)
    const model = join(app, 'models', 'xrec-base');
    mkdirSync(model, { recursive: true });
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'config.json', 'generation_config.json']) cpSync(join(root, 'models', 'xrec-base', f), join(model, f));
    const r = npm(['install', '--no-audit', '--no-fund', '--ignore-scripts', '@huggingface/transformers@^4.3.1'], app);
    expect(r.status, r.stderr).toBe(0);
    const script = join(app, 'hf-tokenizer.mjs');
    writeFileSync(
      script,
      `import { AutoTokenizer, env } from '@huggingface/transformers';
import { loadTokenizer } from '@xrec/tokenizer';
env.allowRemoteModels = false;
env.localModelPath = ${JSON.stringify(join(app, 'models'))} + '/';
const hf = await AutoTokenizer.from_pretrained('xrec-base', { local_files_only: true });
const ours = await loadTokenizer(${JSON.stringify(join(model, 'tokenizer.json'))});
const texts = ['The battery lasts a long time.', "I bought this for my daughter's guitar — it's great!", '  spaces  and\\ttabs, émojis 🎸 and 1234.5'];
const rows = texts.map((t) => ({ t, hf: Array.from(hf.encode(t, { add_special_tokens: false })), ours: ours.encode(t) }));
console.log(JSON.stringify({ rows, decoded: rows.map((r) => hf.decode(r.hf)), eos: hf.eos_token, pad: hf.pad_token }));
`,
    );
    const run = spawnSync(process.execPath, [script], { cwd: app, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { rows: { t: string; hf: number[]; ours: number[] }[]; decoded: string[]; eos: string; pad: string };
    for (const row of out.rows) expect(row.hf, row.t).toEqual(row.ours);
    expect(out.decoded).toEqual(out.rows.map((r) => r.t));
    expect([out.eos, out.pad]).toEqual(['<eos>', '<pad>']);
  });
});
