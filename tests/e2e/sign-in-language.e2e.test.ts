import { afterAll, beforeAll, expect, it } from 'vitest';
import { shot, shotWithPart, signIn, startWebDesk, type WebDesk } from './web-desk';

// The language is chosen before signing in too: an official who reads English finds the choice
// on the sign-in screen, and it holds after signing in (and back to Bahasa Indonesia).

let desk: WebDesk;

beforeAll(async () => {
  desk = await startWebDesk();
});
afterAll(async () => {
  await desk?.stop();
});

it('offers the language on the sign-in screen and keeps it after signing in', async () => {
  const page = await desk.newPage();
  await page.goto(desk.url);
  await page.getByRole('heading', { name: 'Masuk ke Meja Izin' }).waitFor();
  const language = page.getByRole('combobox', { name: 'Bahasa' });
  expect(await language.inputValue()).toBe('id');
  await language.selectOption('en');
  await page.getByRole('heading', { name: 'Sign in to Meja Izin' }).waitFor();
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
  await shot(page, 'l1-sign-in-english');

  await page.getByLabel('Username').fill('penata');
  await page.getByLabel('Password').fill('meja-izin-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My queue' }).waitFor();
  const inApp = page.getByRole('combobox', { name: 'Language' });
  expect(await inApp.inputValue()).toBe('en');

  // the screen is English; what the applicant is sent is not: a return message stays Bahasa Indonesia
  await page.locator('.queue-row:not(.loading) .link').first().click();
  await page.getByRole('heading', { name: 'Data conformity' }).waitFor();
  await page.keyboard.press('Alt+k');
  const preview = page.getByTestId('return-preview');
  await preview.waitFor();
  await page.getByText('The message the applicant will read (always in Bahasa Indonesia)').waitFor();
  await page.getByLabel('Additional note (optional)').fill('Mohon unggah ulang STR yang terbaca.');
  const message = (await preview.textContent())!;
  expect(message).toMatch(/^Yth\. /);
  expect(message).toContain('kami kembalikan karena:');
  expect(message).not.toMatch(/Dear|returned because/);
  await shotWithPart(page, 'l2-return-message-english-screen', '.panel.decision');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: /Back to queue/ }).click();
  await page.getByRole('heading', { name: 'My queue' }).waitFor();
  await inApp.selectOption('id');
  await page.getByRole('heading', { name: 'Antrean saya' }).waitFor();
});

it('says in the top bar when the last sync failed although the server answered, and why on hover', async () => {
  const page = await desk.newPage();
  // the server answered but the sync failed: the status as the desk reports it then
  await page.route('**/api/invoke/sync.status', (route) =>
    route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify({ ok: true, value: { online: true, restoredFromBackupAt: null, needsSignIn: false, lastSyncAt: null, lastError: 'SERVER_ERROR', pendingCommands: 0, waitingForOfficials: [], quarantinedCommands: 0, rejectedCommands: 0 } }),
    }),
  );
  await signIn(page, desk.url, 'penata');
  const failed = page.getByTestId('sync-failed');
  await failed.waitFor();
  expect(await failed.textContent()).toBe('Sinkron terakhir gagal');
  expect(await failed.getAttribute('title')).toMatch(/server/i);
  await page.context().close();
});
