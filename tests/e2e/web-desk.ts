import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeTempDir } from '../support/temp-dir';

export const SCREENSHOT_DIR = 'test-results/screenshots';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface WebDesk {
  url: string;
  origin: string;
  serverUrl: string;
  serverDb: string;
  dataDir: string;
  browser: Browser;
  newPage(): Promise<Page>;
  stop(): Promise<void>;
}

/**
 * Runs `start:web`'s host as its own process (embedded central server, demo data, the real
 * renderer build) and Debian's Chromium against it.
 */
export async function startWebDesk(): Promise<WebDesk> {
  const temp = makeTempDir('e2e');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'main/host/start-web-host.ts', '--data', temp.dir], {
    env: { ...process.env, MEJA_IZIN_SYNC_MS: '600000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<{ url: string; serverUrl: string }>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Open: (\S+)/.exec(output)?.[1];
      const serverUrl = /Embedded central server on (\S+)/.exec(output)?.[1];
      if (url && serverUrl) resolve({ url, serverUrl });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`web host exited with ${code}:\n${output}`)));
    setTimeout(() => reject(new Error(`web host did not start in time:\n${output}`)), 90_000);
  });
  const { url, serverUrl } = await ready;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    url,
    origin: new URL(url).origin,
    serverUrl,
    serverDb: join(temp.dir, 'embedded-server.sqlite'),
    dataDir: temp.dir,
    browser,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
      return context.newPage();
    },
    async stop() {
      await browser.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 7000))]);
      // never leave a host holding the embedded server's port for the next test
      if (!stopped) child.kill('SIGKILL');
      temp.remove();
    },
  };
}

/** The desk holds one official's session, as the desktop app does: sign out whoever is in. */
export async function signIn(page: Page, url: string, username: string) {
  await page.goto(url);
  const signInHeading = page.getByRole('heading', { name: 'Masuk ke Meja Izin' });
  const signOutButton = page.getByRole('button', { name: 'Keluar' });
  await signInHeading.or(signOutButton).waitFor();
  if (await signOutButton.isVisible()) await signOut(page);
  await page.getByLabel('Nama pengguna').fill(username);
  await page.getByLabel('Kata sandi').fill('meja-izin-demo');
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.getByRole('heading', { name: 'Antrean saya' }).waitFor();
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Keluar' }).click();
  await page.getByRole('heading', { name: 'Masuk ke Meja Izin' }).waitFor();
}

/** The server's id of a file, looked up by its registration number as an official would see it. */
export async function applicationIdByRegistration(desk: WebDesk, registrations: string[]): Promise<string[]> {
  // each office's Kepala Dinas sees the whole of their office, and only it
  const applications: Array<{ application: { id: string; registrationNumber: string } }> = [];
  for (const head of ['kadis', 'kadispekanbaru', 'kadisbpp']) {
    const login = await fetch(`${desk.serverUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: head, password: 'meja-izin-demo' }),
    });
    const { token } = (await login.json()) as { token: string };
    const pull = await fetch(`${desk.serverUrl}/api/v1/sync/pull?since=0&limit=2000`, { headers: { authorization: `Bearer ${token}` } });
    applications.push(...((await pull.json()) as { applications: typeof applications }).applications);
  }
  return registrations.map((r) => applications.find((a) => a.application.registrationNumber === r)!.application.id);
}

/**
 * Calls the desk's contract from inside the page, with the page's own host token: what the
 * renderer would get back, for a test to compare with what the renderer shows.
 */
export async function deskCallFromPage<T>(page: Page, method: string, input: unknown): Promise<T> {
  const result = await page.evaluate(
    async ([m, i]) => {
      const response = await fetch(`./api/invoke/${m}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-meja-izin-token': sessionStorage.getItem('meja-izin-host-token') ?? '' },
        body: JSON.stringify(i),
      });
      return (await response.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
    },
    [method, input] as const,
  );
  if (!result.ok) throw new Error(`${method}: ${result.error?.code} ${result.error?.message}`);
  return result.value as T;
}

export function shot(page: Page, name: string) {
  return page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, fullPage: false });
}

/** The screen, and the first part matching `selector` close up (`name-part.png`), for a person to look at. */
export async function shotWithPart(page: Page, name: string, selector: string) {
  await shot(page, name);
  await page.locator(selector).first().screenshot({ path: `${SCREENSHOT_DIR}/${name}-part.png` });
}

/**
 * Clicks a decision on the open file. A file that differs from the national records (or has an
 * expired STR) is passed on only with a note: when the desk asks for one, the official writes it.
 */
export async function clickDecision(page: Page, action: string) {
  await page.getByRole('button', { name: action, exact: true }).click();
  const note = page.getByLabel(/Catatan/);
  const answered = page.getByRole('status').filter({ hasText: 'Keputusan' }).or(page.getByRole('alert'));
  await note.or(answered).first().waitFor();
  if (await note.isVisible()) {
    await note.fill('Diperiksa langsung dengan pemohon; data sesuai dokumen asli.');
    // a note the penata must write, or the koordinator's confirmation of a file with findings
    await page.getByRole('button', { name: /^(Kirim keputusan|Tetap .+)$/ }).click();
  }
}

/**
 * The Kepala Dinas's review by keyboard: for each draft in turn, once its prepared bytes are on
 * screen (the viewer names the file and its hash), M marks it for signing or S skips it.
 */
export async function reviewDrafts(page: Page, keys: Array<'m' | 's'>): Promise<void> {
  const review = page.getByRole('dialog', { name: 'Tinjau draf izin' });
  await review.waitFor();
  let previous: string | null = null;
  for (const key of keys) {
    const handle = await page.waitForFunction(
      (before) => {
        const viewer = document.querySelector<HTMLElement>('.review-screen .pdf-viewer');
        const id = viewer?.dataset.shown;
        return id && viewer?.dataset.sha256 && id !== before ? id : null;
      },
      previous,
      { timeout: 30_000 },
    );
    previous = (await handle.jsonValue()) as string;
    if (key === 'm') await review.locator('button[aria-keyshortcuts="M"]:not([disabled])').waitFor();
    await page.keyboard.press(key);
  }
}
