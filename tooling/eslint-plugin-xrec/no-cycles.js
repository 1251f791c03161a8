// @ts-check
/**
 * `xrec/no-cycles`: no import cycle between the files of one package (or app). The rule reads the package's
 * source files once (value imports and re-exports with relative specifiers; `import type` / `export type`
 * are erased by TypeScript and do not count, nor do dynamic `import()`s, which load lazily) and reports, on
 * the import that closes it, every cycle through the file being linted: `a.ts → b.ts → a.ts`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Files of a unit, by absolute path → relative value-import targets (absolute paths). */
const graphs = new Map();

const SPEC = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;

/** @param {string} from @param {string} spec */
function resolveSpec(from, spec) {
  const base = resolve(dirname(from), spec);
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** @param {string} dir @param {string[]} out */
function sourceFiles(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !/\.d\.ts$/.test(name)) out.push(p);
  }
  return out;
}

/** @param {string} root @returns {Map<string, string[]>} */
function graphOf(root) {
  let g = graphs.get(root);
  if (g) return g;
  g = new Map();
  for (const file of sourceFiles(join(root, 'src'), [])) {
    const text = readFileSync(file, 'utf8');
    const deps = [];
    for (const m of text.matchAll(SPEC)) {
      const target = resolveSpec(file, m[1]);
      if (target) deps.push(target);
    }
    g.set(file, deps);
  }
  graphs.set(root, g);
  return g;
}

/** @param {string} file */
function unitRoot(file) {
  const parts = file.split(sep);
  for (let i = parts.length - 2; i >= 0; i--) {
    if ((parts[i] === 'packages' || parts[i] === 'apps' || parts[i] === 'tooling') && parts[i + 1]) return parts.slice(0, i + 2).join(sep);
  }
  return undefined;
}

/** A shortest path from `start` back to `target` in `g`, or undefined. @param {Map<string, string[]>} g */
function pathBack(g, start, target) {
  const prev = new Map([[start, '']]);
  const queue = [start];
  while (queue.length) {
    const f = /** @type {string} */ (queue.shift());
    for (const d of g.get(f) ?? []) {
      if (d === target) {
        const path = [d, f];
        for (let p = prev.get(f); p; p = prev.get(p)) path.push(p);
        return path.reverse();
      }
      if (!prev.has(d)) {
        prev.set(d, f);
        queue.push(d);
      }
    }
  }
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export const noCycles = {
  meta: {
    type: 'problem',
    docs: { description: 'No import cycles between the files of a package.' },
    schema: [],
    messages: { cycle: 'Import cycle: {{path}}. Move the shared part into its own file (one concept per file).' },
  },
  create(context) {
    const file = context.filename;
    const root = unitRoot(file);
    if (!root || !file.startsWith(join(root, 'src'))) return {};
    const g = graphOf(root);
    /** @param {any} node */
    const check = (node) => {
      if (node.importKind === 'type' || node.exportKind === 'type') return;
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = resolveSpec(file, spec);
      if (!target) return;
      const back = pathBack(g, target, file);
      if (back) context.report({ node, messageId: 'cycle', data: { path: [file, ...back].map((p) => relative(root, p)).join(' → ') } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};
