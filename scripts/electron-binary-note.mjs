// Runs after `npm install` / `npm ci` (package.json postinstall). Electron's own install script
// is kept off (package.json allowScripts: electron=false) because a failed download there rolls
// the whole install back. This step tries the same download itself: a quick look at the
// download host first, then Electron's install.js with a time limit. Where the host cannot be
// reached (offline, firewalled, this project's CI), it prints one line saying so and succeeds,
// so everything else stays installed and `npm run start:web` works.
//
// Settings: ELECTRON_SKIP_BINARY_DOWNLOAD (skip), ELECTRON_MIRROR / ELECTRON_CUSTOM_DIR (Electron's
// own), MEJA_IZIN_ELECTRON_PROBE_MS (the look at the host, default 8 s), MEJA_IZIN_ELECTRON_DOWNLOAD_MS
// (the download, default 10 min).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const PROBE_MS = Number(process.env.MEJA_IZIN_ELECTRON_PROBE_MS ?? 8_000);
const DOWNLOAD_MS = Number(process.env.MEJA_IZIN_ELECTRON_DOWNLOAD_MS ?? 600_000);

function note(reason) {
  console.log(
    `meja-izin: Electron's binary is not installed (${reason}); everything else is. Run the desk in a browser with \`npm run start:web\`, or fetch the binary later with \`node node_modules/electron/install.js\` where its host is reachable.`,
  );
  process.exit(0);
}

function binaryPresent(electronDir, version) {
  try {
    const recorded = readFileSync(join(electronDir, 'dist', 'version'), 'utf8').replace(/^v/, '').trim();
    const path = readFileSync(join(electronDir, 'path.txt'), 'utf8');
    return recorded === version && existsSync(join(electronDir, 'dist', path));
  } catch {
    return false;
  }
}

/** The URL Electron's installer fetches, as @electron/get builds it from the same settings. */
function downloadUrl(version) {
  const mirror = process.env.ELECTRON_MIRROR ?? process.env.npm_config_electron_mirror ?? 'https://github.com/electron/electron/releases/download/';
  const dir = process.env.ELECTRON_CUSTOM_DIR ?? process.env.npm_config_electron_custom_dir ?? `v${version}`;
  const platform = process.env.npm_config_platform ?? process.platform;
  const arch = process.env.npm_config_arch ?? process.arch;
  return `${mirror.endsWith('/') ? mirror : `${mirror}/`}${dir}/electron-v${version}-${platform}-${arch}.zip`;
}

/** null when the host answers for the file (a redirect counts: the release host sends one); else why not. */
async function probe(url) {
  try {
    const response = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(PROBE_MS) });
    return response.status < 400 ? null : `the download host answered HTTP ${response.status}`;
  } catch (error) {
    if (error?.name === 'TimeoutError') return `no answer from the download host within ${PROBE_MS / 1000} s`;
    return `the download host cannot be reached: ${error?.cause?.code ?? error?.cause?.message ?? error?.message ?? 'error'}`;
  }
}

function runInstaller(electronDir) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(electronDir, 'install.js')], { cwd: electronDir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      resolve(`the download took longer than ${DOWNLOAD_MS / 1000} s`);
    }, DOWNLOAD_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const lastLine = stderr.trim().split('\n').find((line) => line.trim() !== '') ?? '';
      resolve(code === 0 ? null : `the download failed: ${lastLine.slice(0, 200) || `exit ${code}`}`);
    });
  });
}

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) note('ELECTRON_SKIP_BINARY_DOWNLOAD is set');
let electronDir;
let version;
try {
  const require = createRequire(import.meta.url);
  electronDir = dirname(require.resolve('electron/package.json'));
  version = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
} catch {
  note('the electron package is not installed');
}
if (binaryPresent(electronDir, version)) process.exit(0);
// behind a proxy only the installer (configured for it) can tell whether the host is reachable
const behindProxy = process.env.ELECTRON_GET_USE_PROXY !== undefined;
const unreachable = behindProxy ? null : await probe(downloadUrl(version));
if (unreachable) note(unreachable);
const failed = await runInstaller(electronDir);
if (failed || !binaryPresent(electronDir, version)) note(failed ?? 'the download did not leave a binary');
console.log(`meja-izin: Electron ${version} binary downloaded; \`npm start\` opens the desktop app.`);
