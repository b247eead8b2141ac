import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { serverEvents, serverStage } from '../support/server-inspection';
import { applicationIdByRegistration, shotWithPart, signIn, startWebDesk, type WebDesk } from './web-desk';

// A step forward is never taken blind: a koordinator approving a file whose data differs from
// the national records confirms it (a note optional), and an action that is not available yet
// says why next to it instead of being only a greyed-out button.

let desk: WebDesk;

beforeAll(async () => {
  desk = await startWebDesk();
});
afterAll(async () => {
  await desk?.stop();
});

const registrationOnScreen = async (page: Page) => (await page.locator('.application-header > .muted').textContent())!.match(/MPPD-\d{4}-\d+/)![0];

describe('deciding with eyes open', () => {
  it('says why the penata cannot pass a file on yet, and stops saying it once every requirement is ticked', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'penata');
    await page.locator('.queue-row:not(.loading) .link').first().click();
    await page.getByRole('heading', { name: 'Kesesuaian data' }).waitFor();
    const pass = page.getByRole('button', { name: 'Teruskan ke koordinator' });
    const boxes = await page.locator('.checklist input[type=checkbox]').all();
    for (const box of boxes) await box.uncheck();
    expect(await pass.isDisabled()).toBe(true);
    const why = page.getByTestId('why-disabled');
    expect(await why.textContent()).toBe(`Teruskan ke koordinator: masih ada ${boxes.length} persyaratan yang belum dicentang.`);
    expect(await pass.getAttribute('aria-describedby')).toBe('why-disabled');
    await shotWithPart(page, 'c1-why-disabled', '.panel.decision');
    await boxes[0]!.check();
    expect(await why.textContent()).toContain(`masih ada ${boxes.length - 1} persyaratan`);
    for (const box of boxes) await box.check();
    await why.waitFor({ state: 'detached' });
    expect(await pass.isEnabled()).toBe(true);
  });

  it('asks the koordinator to confirm approving a file that differs from the national records', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'koordinator');
    await page.locator('.queue-row:not(.loading) .link').first().click();
    await page.getByRole('heading', { name: 'Kesesuaian data' }).waitFor();
    for (let i = 0; i < 40 && (await page.locator('td.mismatch').count()) === 0; i += 1) {
      await page.getByRole('button', { name: 'Berkas berikutnya ›' }).click();
      await page.waitForTimeout(150);
    }
    await page.locator('td.mismatch').first().waitFor();
    const registration = await registrationOnScreen(page);
    const id = (await applicationIdByRegistration(desk, [registration]))[0]!;
    expect(serverStage(desk.serverDb, id)).toBe('verifikasi_draf');

    // Ambil: the keyboard stays on the button, which now gives the file back, and the control
    // card names who is working on the open step
    await page.getByRole('button', { name: /^Ambil berkas/ }).click();
    const release = page.getByRole('button', { name: /^Lepaskan/ });
    await release.waitFor();
    await expect.poll(() => release.evaluate((button) => button === document.activeElement)).toBe(true);
    expect(await page.getByTestId('kartu-working').textContent()).toBe('sedang dikerjakan Dewi Lestari, S.H., M.H.');
    await shotWithPart(page, 'c3-kartu-working', '.kartu-table');

    const approve = 'Setujui draf untuk ditandatangani';
    await page.getByRole('button', { name: approve, exact: true }).click();
    const warning = page.getByTestId('findings-warning');
    expect(await warning.textContent()).toMatch(/^Data berkas ini berbeda dengan data nasional dalam \d+ hal\./);
    const confirm = page.getByRole('button', { name: 'Tetap setujui draf untuk ditandatangani' });
    // the note is not required: confirming is enough
    expect(await confirm.isEnabled()).toBe(true);
    await shotWithPart(page, 'c2-koordinator-confirm', '.panel.decision');

    // Esc: nothing was sent
    await page.keyboard.press('Escape');
    await warning.waitFor({ state: 'detached' });
    expect(serverStage(desk.serverDb, id)).toBe('verifikasi_draf');

    await page.getByRole('button', { name: approve, exact: true }).click();
    await page.getByLabel('Catatan (tidak wajib)').fill('Selisih nama sudah dijelaskan penata; dokumen asli sesuai.');
    await confirm.click();
    await page.getByRole('status').filter({ hasText: 'Keputusan terkirim ke server' }).waitFor();
    expect(serverStage(desk.serverDb, id)).toBe('penandatanganan');
    const last = serverEvents(desk.serverDb, id).at(-1)!;
    expect([last.action, last.actor_role, last.reason]).toEqual(['setujui_draf', 'koordinator', 'Selisih nama sudah dijelaskan penata; dokumen asli sesuai.']);
  });
});
