import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../main/electron/content-security-policy';

/** The real Electron binary, where this machine has one (its download host is not always reachable). */
function electronBinary(): string | null {
  try {
    return createRequire(import.meta.url)('electron') as string;
  } catch (error) {
    console.log(`electron-shell: skipped, no Electron binary here (${(error as Error).message.split('\n')[0]})`);
    return null;
  }
}

const binary = electronBinary();

describe.skipIf(binary === null)('the Electron shell', () => {
  it('opens one sandboxed, isolated window on app://desk that reaches main only through the contract', async () => {
    execFileSync('node', ['scripts/build-electron.mjs'], { stdio: 'ignore' });
    const userData = mkdtempSync(join(tmpdir(), 'meja-izin-electron-'));
    // A test machine has no desktop keyring, where the desk refuses to keep its cache key; an
    // unpackaged run may be told to use a plain key file instead (a packaged desk ignores this).
    const env = { ...process.env, MEJA_IZIN_PLAIN_CACHE_KEY: '1' } as Record<string, string>;
    const app = await electron.launch({ executablePath: binary!, args: ['.', `--user-data-dir=${userData}`, '--no-sandbox'], env });
    try {
      const page = await app.firstWindow();
      await page.getByRole('heading', { name: 'Masuk ke Meja Izin' }).waitFor();
      const globals = await page.evaluate(() => ({
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
        bridge: Object.keys((window as unknown as { mejaIzin: object }).mejaIzin),
      }));
      expect(globals).toEqual({ require: 'undefined', process: 'undefined', bridge: ['invoke'] });
      const refused = await page.evaluate(() => (window as unknown as { mejaIzin: { invoke(m: string, i: unknown): Promise<unknown> } }).mejaIzin.invoke('fs.readFile', {}));
      expect(refused).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
      const opened = await page.evaluate(() => window.open('https://example.org') === null);
      expect(opened).toBe(true);
      const prefs = await app.evaluate(({ BrowserWindow }) => {
        const w = BrowserWindow.getAllWindows()[0]!;
        const p = (w.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> }).getLastWebPreferences();
        return { sandbox: p.sandbox, contextIsolation: p.contextIsolation, nodeIntegration: p.nodeIntegration };
      });
      expect(prefs).toEqual({ sandbox: true, contextIsolation: true, nodeIntegration: false });

      // Served from the privileged app:// scheme, never file://.
      expect(page.url()).toMatch(/^app:\/\/desk\//);
      expect(await page.evaluate(() => window.location.origin)).toBe('app://desk');
      const probes = await page.evaluate(async () => {
        const outcome = async (url: string) => {
          try {
            const response = await fetch(url);
            return `status ${response.status}`;
          } catch {
            return 'refused';
          }
        };
        const own = await fetch('./');
        return {
          fileUrl: await outcome('file:///etc/passwd'),
          traversal: await outcome('app://desk/%2e%2e/%2e%2e/etc/passwd'),
          otherHost: await outcome('app://other/index.html'),
          csp: own.headers.get('content-security-policy'),
          type: own.headers.get('content-type'),
        };
      });
      expect(probes.fileUrl).toBe('refused');
      expect(probes.traversal).toBe('status 404');
      expect(probes.otherHost).not.toBe('status 200');
      expect(probes).toMatchObject({ csp: CONTENT_SECURITY_POLICY, type: 'text/html; charset=utf-8' });
      await page
        .evaluate(() => {
          window.location.href = 'file:///etc/passwd';
        })
        .catch(() => undefined);
      await page.waitForTimeout(500);
      expect(page.url()).toMatch(/^app:\/\/desk\//);
    } finally {
      await app.close();
      rmSync(userData, { recursive: true, force: true });
    }
  });
});
