// The architecture as a lint rule, deny by default: every linted file belongs to a layer, and a
// layer may import only the layers listed for it. A file in no layer is itself an error.
import { builtinModules } from 'node:module';
import path from 'node:path';

const LAYERS = [
  // most specific first
  { name: 'tooling', match: (f) => /^(scripts\/|eslint-rules\/|[^/]+\.config\.(ts|js|mjs)$|renderer\/vite\.config\.ts$)/.test(f) },
  // Node-only code that the desk and the server both use (PDF signatures, certificate paths);
  // VS Code's common/node split: shared/ runs anywhere, shared/node/ only where Node does.
  { name: 'shared-node', match: (f) => f.startsWith('shared/node/') },
  { name: 'shared', match: (f) => f.startsWith('shared/') },
  { name: 'renderer', match: (f) => f.startsWith('renderer/') },
  { name: 'db', match: (f) => f.startsWith('db/') },
  { name: 'main-services', match: (f) => f.startsWith('main/services/') },
  { name: 'main-host', match: (f) => f.startsWith('main/host/') },
  { name: 'main-electron', match: (f) => f.startsWith('main/electron/') },
  { name: 'server', match: (f) => f.startsWith('server/') },
  { name: 'tests', match: (f) => f.startsWith('tests/') },
];

const ALL = LAYERS.map((l) => l.name);
export const ALLOWED_IMPORTS = {
  shared: ['shared'],
  'shared-node': ['shared-node', 'shared'],
  renderer: ['renderer', 'shared'],
  db: ['db', 'shared'],
  'main-services': ['main-services', 'shared-node', 'shared', 'db'],
  'main-host': ['main-host', 'main-services', 'shared-node', 'shared', 'db', 'server'],
  'main-electron': ['main-electron', 'main-services', 'main-host', 'shared-node', 'shared', 'db', 'server'],
  server: ['server', 'shared-node', 'shared'],
  tests: ALL,
  tooling: ALL,
};

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const SERVER_ONLY_PACKAGES = ['better-sqlite3', 'better-sqlite3-multiple-ciphers', 'kysely', 'fastify', '@fastify/', 'pdf-lib', 'qrcode'];

function layerOf(relativeFile) {
  return LAYERS.find((l) => l.match(relativeFile))?.name ?? null;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'enforce the layers: shared ← renderer; shared, db ← main services; only main/electron imports electron' },
    schema: [],
  },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const layer = layerOf(file);

    function check(node, spec) {
      if (typeof spec !== 'string') return;
      if (!layer) {
        context.report({ node, message: `${file} belongs to no layer; place it in shared/, renderer/, db/, main/services|host|electron/, server/ or tests/` });
        return;
      }
      if (spec.startsWith('.')) {
        const target = path.relative(root, path.resolve(path.dirname(context.filename), spec)).split(path.sep).join('/');
        const targetLayer = layerOf(target) ?? layerOf(`${target}.ts`);
        if (!targetLayer || !ALLOWED_IMPORTS[layer].includes(targetLayer)) {
          context.report({ node, message: `layer ${layer} may not import ${target} (layer ${targetLayer ?? 'none'}); allowed: ${ALLOWED_IMPORTS[layer].join(', ')}` });
        }
        return;
      }
      if (spec === 'electron' && layer !== 'main-electron' && layer !== 'tooling') {
        context.report({ node, message: `only main/electron/ may import electron (this is ${layer}): keep services plain Node` });
      }
      if ((layer === 'shared' || layer === 'renderer') && BUILTINS.has(spec)) {
        context.report({ node, message: `${layer} runs in the sandboxed renderer too and may not import the Node module ${spec}` });
      }
      if ((layer === 'shared' || layer === 'renderer') && SERVER_ONLY_PACKAGES.some((p) => spec === p || spec.startsWith(p.endsWith('/') ? p : `${p}/`))) {
        context.report({ node, message: `${layer} may not import ${spec}: it belongs to main or the server` });
      }
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') check(node, node.arguments[0].value);
      },
    };
  },
};
