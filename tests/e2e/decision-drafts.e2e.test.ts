import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { API_PREFIX, COMMAND_LIMITS } from '../../shared/sync-protocol';
import { serverEvents, serverStage } from '../support/server-inspection';
import { applicationIdByRegistration, shotWithPart, signIn, signOut, startWebDesk, type WebDesk } from './web-desk';

let desk: WebDesk;

beforeAll(async () => {
  desk = await startWebDesk();
});
afterAll(async () => {
  await desk?.stop();
});

/** the changed forms, close up */
const formShot = (page: Page, name: string) => shotWithPart(page, name, '.panel.decision, .signing-panel');

async function login(username: string): Promise<string> {
  const response = await fetch(`${desk.serverUrl}${API_PREFIX}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'meja-izin-demo' }),
  });
  return ((await response.json()) as { token: string }).token;
}

async function claimOnServer(username: string, applicationId: string, take: boolean) {
  const token = await login(username);
  const response = await fetch(take ? `${desk.serverUrl}${API_PREFIX}/claims` : `${desk.serverUrl}${API_PREFIX}/claims/${applicationId}`, {
    method: take ? 'POST' : 'DELETE',
    headers: { authorization: `Bearer ${token}`, ...(take ? { 'content-type': 'application/json' } : {}) },
    ...(take ? { body: JSON.stringify({ applicationId }) } : {}),
  });
  expect(response.status).toBe(200);
}

async function openFromQueue(page: Page, registration: string) {
  await page.getByLabel('Cari nama, NIK, atau nomor registrasi').fill(registration);
  await page.getByRole('button', { name: registration }).click();
  await page.getByRole('heading', { name: 'Kesesuaian data' }).waitFor();
}

async function backToQueue(page: Page) {
  await page.getByRole('button', { name: '← Kembali ke antrean' }).click();
  await page.getByRole('heading', { name: 'Antrean saya' }).waitFor();
}

const checked = (page: Page) => page.locator('.checklist input[type=checkbox]').evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).checked));

describe('decisions and reasons keep what the official typed and ticked', () => {
  it('caps the note at the protocol limit, keeps ticks and text across leaving the file, Esc and a refusal', async () => {
    const limit = COMMAND_LIMITS.reasonLength;
    const page = await desk.newPage();
    await signIn(page, desk.url, 'penata');
    await page.locator('.queue-row:not(.loading)').first().waitFor();
    await page.locator('.queue-row:not(.loading) .link').first().click();
    await page.getByRole('heading', { name: 'Kesesuaian data' }).waitFor();
    // a file that differs from the national records: passing it on asks for a note
    for (let i = 0; i < 40 && (await page.locator('#conformity-title .badge.overdue').count()) === 0; i += 1) {
      await page.getByRole('button', { name: 'Berkas berikutnya ›' }).click();
      await page.waitForTimeout(150);
    }
    await page.locator('td.mismatch').first().waitFor();
    const registration = (await page.locator('.application-header > .muted').textContent())!.match(/MPPD-\d{4}-\d+/)![0];
    const id = (await applicationIdByRegistration(desk, [registration]))[0]!;

    // ticks, then a note longer than the server takes: the field stops at the limit and says so
    for (const box of await page.locator('.checklist input[type=checkbox]').all()) await box.check();
    await page.getByRole('button', { name: 'Teruskan ke koordinator' }).click();
    const note = page.getByLabel(/Catatan/);
    const longNote = 'Nama pada Satu Sehat salah ketik, sudah dikonfirmasi pemohon dengan KTP asli. '.repeat(40).slice(0, 2500);
    expect(longNote.length).toBe(2500);
    await note.fill(longNote);
    expect((await note.inputValue()).length).toBe(limit);
    const counter = page.locator('#decision-reason-count');
    expect(await counter.textContent()).toContain('2.000 / 2.000');
    expect(await counter.textContent()).toContain('batas tercapai');
    await formShot(page, 'h7-note-capped');

    // back to the queue and in again: the ticks and the note are as they were left
    await page.keyboard.press('Escape');
    await note.waitFor({ state: 'detached' });
    await backToQueue(page);
    await openFromQueue(page, registration);
    expect((await checked(page)).every(Boolean)).toBe(true);
    await page.getByRole('button', { name: 'Teruskan ke koordinator' }).click();
    expect(await page.getByLabel(/Catatan/).inputValue()).toBe(longNote.slice(0, limit));

    // the next file and back: still there
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Berkas berikutnya ›' }).click();
    await expect.poll(async () => (await page.locator('.application-header > .muted').textContent())?.includes(registration)).toBe(false);
    await page.getByRole('button', { name: '‹ Berkas sebelumnya' }).click();
    await expect.poll(async () => (await page.locator('.application-header > .muted').textContent())?.includes(registration)).toBe(true);
    expect((await checked(page)).every(Boolean)).toBe(true);

    // the return form: a reason typed, Esc, and open again: the reason is back
    await page.keyboard.press('Alt+k');
    const returnNote = page.getByLabel('Catatan tambahan (opsional)');
    await returnNote.fill('Mohon unggah ulang STR yang terbaca.');
    expect(await page.locator('#return-message-count').textContent()).toMatch(/^\d{1,3}(\.\d{3})? \/ 2\.000/);
    await formShot(page, 'h7-return-form');
    await page.keyboard.press('Escape');
    await returnNote.waitFor({ state: 'detached' });
    await page.keyboard.press('Alt+k');
    expect(await returnNote.inputValue()).toBe('Mohon unggah ulang STR yang terbaca.');
    expect(await page.getByTestId('return-preview').textContent()).toContain('Mohon unggah ulang STR yang terbaca.');
    // a very long note: the whole message, templates and all, stays within the limit
    await returnNote.fill('x'.repeat(2970));
    const message = (await page.getByTestId('return-preview').textContent())!;
    expect(message.length).toBe(limit);
    expect(await page.locator('#return-message-count').textContent()).toContain('2.000 / 2.000');
    await formShot(page, 'h7-return-form-capped');
    await returnNote.fill('Mohon unggah ulang STR yang terbaca.');
    await page.getByRole('button', { name: 'Batal' }).click();

    // a colleague takes the file at the server: the decision is refused, and nothing is lost
    await claimOnServer('penata2', id, true);
    await page.getByRole('button', { name: 'Teruskan ke koordinator' }).click();
    await page.getByRole('button', { name: 'Kirim keputusan' }).click();
    const refusal = page.locator('.panel.decision').getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('sedang dikerjakan oleh petugas lain');
    expect(await page.getByLabel(/Catatan/).inputValue()).toBe(longNote.slice(0, limit));
    expect((await checked(page)).every(Boolean)).toBe(true);
    // said next to the button that sent it: right above the buttons, inside the form
    const alertBox = (await refusal.boundingBox())!;
    const sendBox = (await page.getByRole('button', { name: 'Kirim keputusan' }).boundingBox())!;
    expect(sendBox.y - (alertBox.y + alertBox.height)).toBeLessThan(40);
    await formShot(page, 'h7-refused-keeps-form');

    // released, sent again: the note goes whole; the draft is gone with it
    await claimOnServer('penata2', id, false);
    await page.getByRole('button', { name: 'Kirim keputusan' }).click();
    await page.getByRole('status').filter({ hasText: `${registration}: Teruskan ke koordinator` }).waitFor();
    expect(serverStage(desk.serverDb, id)).toBe('verifikasi_draf');
    expect(serverEvents(desk.serverDb, id).at(-1)!.reason).toBe(longNote.slice(0, limit).trim());
    await page.context().close();
  });

  it('forgets every draft on sign-out', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'penata');
    const first = page.locator('.queue-row:not(.loading) .link').last();
    const registration = (await first.textContent())!.trim();
    await first.click();
    await page.getByRole('heading', { name: 'Kesesuaian data' }).waitFor();
    await page.locator('.checklist input[type=checkbox]').first().check();
    await backToQueue(page);
    await openFromQueue(page, registration);
    expect((await checked(page))[0]).toBe(true);
    await signOut(page);
    await signIn(page, desk.url, 'penata');
    await openFromQueue(page, registration);
    expect((await checked(page))[0]).toBe(false);
    await page.context().close();
  });

  it('caps a batch rejection reason at the limit, with its counter', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'kadis');
    const signable = page.locator('.queue-row:not(.loading)').filter({ hasText: 'Penandatanganan' });
    await signable.first().waitFor();
    await signable.first().locator('input[type="checkbox"]').check();
    await page.getByRole('button', { name: 'Tolak (1)' }).click();
    const reason = page.getByLabel(/^Alasan/);
    await reason.fill('Dokumen STR tidak terbaca. '.repeat(100));
    expect((await reason.inputValue()).length).toBe(COMMAND_LIMITS.reasonLength);
    expect(await page.locator('#reject-reason-count').textContent()).toContain('2.000 / 2.000');
    await formShot(page, 'h7-reject-capped');
    await page.getByRole('button', { name: 'Batal' }).click();
    await page.context().close();
  });
});
