import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';

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
  it('opens one sandboxed, isolated window that reaches main only through the contract', async () => {
    execFileSync('node', ['scripts/build-electron.mjs'], { stdio: 'ignore' });
    const userData = mkdtempSync(join(tmpdir(), 'meja-izin-electron-'));
    const app = await electron.launch({ executablePath: binary!, args: ['.', `--user-data-dir=${userData}`, '--no-sandbox'] });
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
    } finally {
      await app.close();
      rmSync(userData, { recursive: true, force: true });
    }
  });
});
