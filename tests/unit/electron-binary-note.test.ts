import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../support/temp-dir';

// The install step as `npm install` / `npm ci` runs it (postinstall), against a download host on
// loopback that refuses, never answers, or serves a file that is not Electron.
const electronDir = join(process.cwd(), 'node_modules', 'electron');
const binaryPresent = existsSync(join(electronDir, 'path.txt')) && existsSync(join(electronDir, 'dist', readFileSync(join(electronDir, 'path.txt'), 'utf8')));

let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
});

async function host(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ mirror: string; requests: string[] }> {
  const requests: string[] = [];
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { mirror: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests };
}

function install(env: Record<string, string>): Promise<{ code: number | null; stdout: string; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['scripts/electron-binary-note.mjs'], { env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, ms: performance.now() - started })));
}

const NOTE = /Electron's binary is not installed \((.+)\); everything else is\. Run the desk in a browser with `npm run start:web`/;

describe.skipIf(binaryPresent)('the install step where Electron cannot be downloaded', () => {
  it('asks the download host for this Electron version, and on a refusal prints the note and succeeds', async () => {
    const version = (JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string }).version;
    const { mirror, requests } = await host((_req, res) => res.writeHead(403).end());
    const result = await install({ ELECTRON_MIRROR: mirror });
    expect(result.code).toBe(0);
    expect(NOTE.exec(result.stdout)?.[1]).toBe('the download host answered HTTP 403');
    expect(requests).toEqual([`HEAD /v${version}/electron-v${version}-${process.platform}-${process.arch}.zip`]);
  });

  it('gives up after a short time when the host never answers', async () => {
    const { mirror } = await host(() => undefined);
    const result = await install({ ELECTRON_MIRROR: mirror, MEJA_IZIN_ELECTRON_PROBE_MS: '400' });
    expect(result.code).toBe(0);
    expect(NOTE.exec(result.stdout)?.[1]).toBe('no answer from the download host within 0.4 s');
    expect(result.ms).toBeLessThan(5000);
  });

  it("runs Electron's own installer when the host answers, and when that download fails still prints the note and succeeds", async () => {
    const cache = makeTempDir('electron-cache');
    try {
      const { mirror, requests } = await host((req, res) => res.writeHead(200, { 'content-type': 'application/zip' }).end(req.method === 'GET' ? 'not a zip' : undefined));
      const result = await install({ ELECTRON_MIRROR: mirror, electron_config_cache: cache.dir });
      expect(result.code).toBe(0);
      expect(NOTE.exec(result.stdout)?.[1]).toMatch(/^the download failed: /);
      expect(requests.some((r) => r.startsWith('GET '))).toBe(true);
      expect(existsSync(join(electronDir, 'dist'))).toBe(false);
    } finally {
      cache.remove();
    }
  });

  it('skips the download when ELECTRON_SKIP_BINARY_DOWNLOAD is set, and says so', async () => {
    const result = await install({ ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
    expect(result.code).toBe(0);
    expect(NOTE.exec(result.stdout)?.[1]).toBe('ELECTRON_SKIP_BINARY_DOWNLOAD is set');
  });
});
