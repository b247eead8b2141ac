// `npm start`: the desktop app. Electron's binary may be missing (its download host is not
// reachable from every machine); then say so and name the browser host instead.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let electronBinary;
try {
  electronBinary = require('electron');
} catch (error) {
  console.error(`The Electron binary is not installed here (${error.message.split('\n')[0]}).`);
  console.error('Run the same desk in a browser instead: npm run start:web');
  process.exit(1);
}
const run = (command, args) => {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
run('npm', ['run', 'build:renderer']);
run('npm', ['run', 'build:electron']);
run(electronBinary, ['.']);
