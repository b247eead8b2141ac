import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { serverEvents, serverStage } from '../support/server-inspection';
import { applicationIdByRegistration, shot, startWebDesk, type WebDesk } from './web-desk';

let desk: WebDesk;

beforeAll(async () => {
  desk = await startWebDesk();
});
afterAll(async () => {
  await desk?.stop();
});

async function openFirstFromQueue(page: Page): Promise<string> {
  await page.getByRole('heading', { name: 'Antrean saya' }).waitFor();
  await page.locator('.queue-row:not(.loading)').first().waitFor();
  await page.keyboard.press('/');
  await page.keyboard.press('ArrowDown');
  const registration = (await page.locator('.queue-row.active .link').textContent())!.trim();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Kesesuaian data' }).waitFor();
  return registration;
}

async function tabTo(page: Page, isTarget: () => Promise<boolean>, limit = 60) {
  for (let i = 0; i < limit; i += 1) {
    if (await isTarget()) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('the keyboard never reached the target');
}

async function idOf(registration: string): Promise<string> {
  return (await applicationIdByRegistration(desk, [registration]))[0]!;
}

describe('a penata reviews three files with the keyboard only', () => {
  it('passes one, returns one with a templated reason, claims and releases one', async () => {
    const page = await desk.newPage();
    await page.goto(desk.url);
    await page.getByLabel('Nama pengguna').focus();
    await page.keyboard.type('penata');
    await page.keyboard.press('Tab');
    await page.keyboard.type('meja-izin-demo');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Antrean saya' }).waitFor();
    await shot(page, '11-keyboard-queue');

    // 1: tick every requirement with Tab and Space, then pass with Alt+T.
    const passed = await openFirstFromQueue(page);
    const boxes = await page.locator('.checklist input[type=checkbox]').count();
    await tabTo(page, () => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.closest('.checklist') !== null));
    for (let i = 0; i < boxes; i += 1) {
      await page.keyboard.press('Space');
      if (i < boxes - 1) await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Alt+t');
    const sent = page.getByRole('status').filter({ hasText: `${passed}: Teruskan ke koordinator` });
    const note = page.getByLabel(/Catatan/);
    await sent.or(note).first().waitFor();
    if (await note.isVisible()) {
      // a file that differs from the national records is passed on only with a note, typed as well
      await page.keyboard.type('Diperiksa dengan dokumen asli pemohon.');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
    }
    await sent.waitFor();

    // 2: return to the applicant with the templates: Alt+K, read the message, Tab to send.
    const returned = await openFirstFromQueue(page);
    await page.keyboard.press('Alt+k');
    const preview = page.getByTestId('return-preview');
    await preview.waitFor();
    expect(await preview.textContent()).toContain('Data SISDMK Anda belum diverifikasi oleh Faskes');
    await page.keyboard.type('Mohon unggah ulang STR yang terbaca.');
    await shot(page, '12-keyboard-return-preview');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Kirim ke pemohon');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: `${returned}: Kembalikan ke pemohon` }).waitFor();

    // 3: take the file (Alt+A), give it back (Alt+L), browse on (Alt+N) to a mismatch, Esc.
    const claimed = await openFirstFromQueue(page);
    await page.keyboard.press('Alt+a');
    await page.getByText('Anda sedang mengerjakan berkas ini').waitFor();
    const claimedId = await idOf(claimed);
    await page.keyboard.press('Alt+l');
    await page.getByText('Belum diambil petugas mana pun.').waitFor();
    for (let i = 0; i < 30 && (await page.locator('#conformity-title .badge.overdue').count()) === 0; i += 1) {
      await page.keyboard.press('Alt+n');
      await page.waitForTimeout(150);
    }
    await page.locator('td.mismatch').first().waitFor();
    await shot(page, '13-conformity-mismatch');
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'Antrean saya' }).waitFor();

    // The viewer: search the STR for a phrase; the hit is marked on the page.
    await openFirstFromQueue(page);
    await page.getByRole('tab', { name: 'STR' }).click();
    await page.locator('[data-testid="pdf-canvas"][data-rendered="true"]').waitFor();
    await page.getByLabel('Cari teks dalam dokumen').fill('Nomor STR');
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('search-result').textContent()).toMatch(/1 temuan di 1 halaman/);
    expect(await page.getByTestId('search-hit').count()).toBe(1);
    await shot(page, '16-viewer-search-hit');
    // turned a quarter, the hit turns with the page: still marked, inside the page, now taller than wide
    const flat = (await page.getByTestId('search-hit').boundingBox())!;
    expect(flat.width).toBeGreaterThan(flat.height);
    await page.getByRole('region', { name: 'STR' }).focus();
    await page.keyboard.press('r');
    await page.locator('[data-testid="pdf-canvas"][data-rendered="true"]').waitFor();
    await expect.poll(async () => (await page.getByTestId('search-hit').boundingBox())?.height ?? 0).toBeGreaterThan(flat.height * 2);
    const turned = (await page.getByTestId('search-hit').boundingBox())!;
    const canvas = (await page.getByTestId('pdf-canvas').boundingBox())!;
    expect(turned.height).toBeGreaterThan(turned.width);
    expect(turned.x).toBeGreaterThanOrEqual(canvas.x);
    expect(turned.y).toBeGreaterThanOrEqual(canvas.y);
    expect(turned.x + turned.width).toBeLessThanOrEqual(canvas.x + canvas.width + 1);
    expect(turned.y + turned.height).toBeLessThanOrEqual(canvas.y + canvas.height + 1);
    await shot(page, '16b-viewer-search-hit-rotated');
    await page.keyboard.press('Escape');

    expect(serverStage(desk.serverDb, await idOf(passed))).toBe('verifikasi_draf');
    const returnEvent = serverEvents(desk.serverDb, await idOf(returned)).at(-1)!;
    expect(returnEvent.to_stage).toBe('dikembalikan');
    expect(returnEvent.reason).toContain('Yth.');
    expect(returnEvent.reason).toContain('Mohon unggah ulang STR yang terbaca.');
    expect(serverStage(desk.serverDb, claimedId)).toBe('pemeriksaan');
  });
});
