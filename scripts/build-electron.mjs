// Bundles the Electron main process and preload as CommonJS. Electron and every native
// dependency (a package with a binding.gyp: better-sqlite3, or a drop-in fork of it) stay
// external: they must be rebuilt for Electron's ABI on the packaging machine.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const { dependencies = {} } = JSON.parse(readFileSync('package.json', 'utf8'));
const native = Object.keys(dependencies).filter((name) => existsSync(join('node_modules', name, 'binding.gyp')));

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'info' };
await build({ ...common, entryPoints: ['main/electron/main.ts'], outfile: 'dist/electron/main.cjs', external: ['electron', ...native] });
await build({ ...common, entryPoints: ['main/electron/preload.ts'], outfile: 'dist/electron/preload.cjs', external: ['electron'] });
