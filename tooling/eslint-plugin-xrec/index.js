// @ts-check
/**
 * xrec's ESLint plugin. One rule, `xrec/import-layers`, enforces the dependency direction of
 * shared STYLE.md:
 *   L0 core; L1 data, tokenizer, metrics, transformer; L2 lora, prompts; L3 pepler, promptrec, up5; L4 apps.
 * P5 is the base recommender that UP5's prompts tune (as LoRA and the prompt modules are what PEPLER tunes with),
 * so `p5` sits on L2: UP5 imports it, and it imports only L0/L1 packages.
 * A package may import another workspace package only when that package sits on a lower layer
 * (apps may import anything), only through its public entry (`@xrec/x`, never `@xrec/x/src/...`),
 * and relative imports may not leave the package's own folder.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { noCycles } from './no-cycles.js';

/** Default layer of each workspace package, by folder under packages/ or apps/. */
export const DEFAULT_LAYERS = {
  core: 0,
  // STYLE.md's optional native-kernel package: an L1 side package that only the transformer's backend setup
  // imports. It has no workspace dependencies, so it is ranked just below the transformer (layer 0 here), and
  // the rule below rejects an import of it from any other package.
  native: 0,
  data: 1,
  tokenizer: 1,
  metrics: 1,
  transformer: 1,
  lora: 2,
  prompts: 2,
  pepler: 3,
  promptrec: 3,
  p5: 2,
  up5: 3,
};
const APP_LAYER = 4;

/** @param {string} file */
function owningUnit(file) {
  const parts = file.split(sep);
  for (let i = parts.length - 2; i >= 0; i--) {
    if ((parts[i] === 'packages' || parts[i] === 'apps') && parts[i + 1]) {
      return { kind: parts[i], name: parts[i + 1], root: parts.slice(0, i + 2).join(sep) };
    }
  }
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
const importLayers = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports go only down the xrec layers, through public entries.' },
    schema: [
      {
        type: 'object',
        properties: { layers: { type: 'object', additionalProperties: { type: 'integer' } } },
        additionalProperties: false,
      },
    ],
    messages: {
      upward:
        "'{{from}}' (layer {{fromLayer}}) may not import '{{to}}' (layer {{toLayer}}): imports go only to lower layers (see STYLE.md).",
      deep: "Deep import '{{source}}': import '{{pkg}}' through its public entry only.",
      escape: "Relative import '{{source}}' leaves the package '{{from}}': import the other package by name.",
      nativeOnly: "'{{from}}' may not import '@xrec/native': only the transformer's backend setup registers native kernels (use @xrec/transformer's nativeStatus()).",
      unknown: "Package '{{name}}' has no layer; add it to the layer map of xrec/import-layers.",
      app: "Package '{{from}}' may not import the app '{{to}}': packages never import apps.",
    },
  },
  create(context) {
    const layers = { ...DEFAULT_LAYERS, ...(context.options[0]?.layers ?? {}) };
    const file = context.filename;
    const unit = owningUnit(file);
    if (!unit) return {};
    const fromLayer = unit.kind === 'apps' ? APP_LAYER : layers[unit.name];
    const fromName = unit.kind === 'apps' ? `apps/${unit.name}` : `@xrec/${unit.name}`;

    /** @param {any} node @param {string} source */
    function check(node, source) {
      if (typeof source !== 'string') return;
      if (source.startsWith('.')) {
        const target = resolve(dirname(file), source);
        const rel = relative(unit.root, target);
        // Shared build and test helpers under the repository's tooling/ folder are allowed.
        const toTooling = !relative(resolve(unit.root, '..', '..', 'tooling'), target).startsWith('..');
        if (rel.startsWith('..') && !toTooling) context.report({ node, messageId: 'escape', data: { source, from: fromName } });
        return;
      }
      const m = /^@xrec\/([^/]+)(\/.*)?$/.exec(source);
      if (!m) return;
      const [, name, rest] = m;
      if (rest && rest !== '/package.json') {
        context.report({ node, messageId: 'deep', data: { source, pkg: `@xrec/${name}` } });
        return;
      }
      if (name === 'eslint-plugin') return;
      if (name === 'native' && !(unit.kind === 'packages' && unit.name === 'transformer')) {
        context.report({ node, messageId: 'nativeOnly', data: { from: fromName } });
        return;
      }
      if (unit.kind === 'apps' && name === unit.name) return;
      const toLayer = layers[name];
      if (toLayer === undefined) {
        // Unknown names are apps (bench, cli, ...) or new packages.
        if (unit.kind === 'apps') return;
        context.report({ node, messageId: fromLayer === undefined ? 'unknown' : 'app', data: { name: `@xrec/${name}`, from: fromName, to: `@xrec/${name}` } });
        return;
      }
      if (fromLayer === undefined) {
        context.report({ node, messageId: 'unknown', data: { name: fromName } });
        return;
      }
      if (unit.kind === 'apps') return;
      if (toLayer >= fromLayer) {
        context.report({
          node,
          messageId: 'upward',
          data: { from: fromName, fromLayer: String(fromLayer), to: `@xrec/${name}`, toLayer: String(toLayer) },
        });
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source, /** @type {string} */ (node.source.value)),
      ExportNamedDeclaration: (node) => node.source && check(node.source, /** @type {string} */ (node.source.value)),
      ExportAllDeclaration: (node) => check(node.source, /** @type {string} */ (node.source.value)),
      ImportExpression: (node) => {
        if (node.source.type === 'Literal') check(node.source, /** @type {string} */ (node.source.value));
      },
    };
  },
};

const plugin = { meta: { name: '@xrec/eslint-plugin', version: '0.1.0' }, rules: { 'import-layers': importLayers, 'no-cycles': noCycles } };
export default plugin;
