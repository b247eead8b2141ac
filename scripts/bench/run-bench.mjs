// `npm run bench [name]`: runs one benchmark, or all of them. Each prints its own figures.
import { spawnSync } from 'node:child_process';

const BENCHES = { batch: 'scripts/bench/bench-batch.ts', sign: 'scripts/bench/bench-sign.ts', queue: 'scripts/bench/bench-queue.ts', server: 'scripts/bench/bench-server.ts' };
const wanted = process.argv[2] ? [process.argv[2]] : Object.keys(BENCHES);
for (const name of wanted) {
  if (!BENCHES[name]) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  const result = spawnSync(process.execPath, ['--import', 'tsx', BENCHES[name], ...process.argv.slice(3)], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
