import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfsig } from '../support/poppler';
import { serverStage } from '../support/server-inspection';
import { applicationIdByRegistration, shot, signIn, startWebDesk, type WebDesk } from './web-desk';

let desk: WebDesk;

beforeAll(async () => {
  desk = await startWebDesk();
});
afterAll(async () => {
  await desk?.stop();
});

describe('the Kepala Dinas signs in batches', () => {
  it('selects 5 drafts, enters the passphrase once, watches the progress, and all 5 are issued', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'kadis');
    const rows = page.locator('.queue-table tbody tr.queue-row:not(.loading)');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(5);
    const chosen: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const registration = (await rows.nth(i).getByRole('button').textContent())!.trim();
      chosen.push(registration);
      await page.getByRole('checkbox', { name: `Pilih ${registration}` }).check();
    }
    await page.getByRole('button', { name: 'Tandatangani (5)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Tanda tangan elektronik' });
    await dialog.waitFor();
    // the panel asks main for the remembered certificate path; it arrives just after it opens
    await expect.poll(() => dialog.getByLabel('Berkas sertifikat (.p12/.pfx)').inputValue()).toMatch(/demo-kepala-dinas\.p12$/);
    await shot(page, '08-kadis-batch-selected');

    // Step through the drafts before signing: review the first, move on, come back to the list.
    await dialog.getByRole('button', { name: 'Tinjau draf' }).first().click();
    await dialog.getByText('Draf 1 dari 5').waitFor();
    await dialog.locator('[data-testid="pdf-canvas"][data-rendered="true"]').waitFor();
    await shot(page, '08b-kadis-review-draft');
    await dialog.getByRole('button', { name: 'Berikutnya ›' }).click();
    await dialog.getByText('Draf 2 dari 5').waitFor();
    await dialog.getByRole('button', { name: '← Kembali ke daftar' }).click();

    // A wrong passphrase is refused in Indonesian and signs nothing.
    await dialog.getByLabel('Kata sandi sertifikat').fill('salah');
    await dialog.getByRole('button', { name: 'Mulai tanda tangan (5)' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Kata sandi sertifikat salah' }).waitFor();

    await dialog.getByLabel('Kata sandi sertifikat').fill('kadis-demo');
    await dialog.getByRole('button', { name: 'Mulai tanda tangan (5)' }).click();
    await dialog.getByRole('progressbar').waitFor();
    await dialog.getByRole('status').filter({ hasText: '5 izin ditandatangani, 0 gagal, 0 dibatalkan.' }).waitFor();
    expect(await dialog.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('5');
    await shot(page, '09-kadis-batch-progress-done');
    await dialog.getByRole('button', { name: 'Selesai' }).click();
    for (const registration of chosen) await expect.poll(() => page.getByRole('button', { name: registration }).count()).toBe(0);

    const ids = await applicationIdByRegistration(desk, chosen);
    await expect.poll(() => ids.map((id) => serverStage(desk.serverDb, id)).join(',')).toBe(Array(5).fill('terbit').join(','));
    expect(pdfsig(join(desk.dataDir, 'signed-permits', `${chosen[0]}.pdf`))).toContain('Signature is Valid.');

    // Verifikasi dokumen: the signed file, as a citizen would bring it.
    await page.getByRole('button', { name: 'Verifikasi dokumen' }).click();
    await page.getByLabel('Pilih berkas PDF').setInputFiles(join(desk.dataDir, 'signed-permits', `${chosen[0]}.pdf`));
    await page.getByTestId('verify-integrity').waitFor();
    expect(await page.getByTestId('verify-integrity').textContent()).toContain('Utuh');
    expect(await page.getByTestId('verify-registry').textContent()).toContain('SAH');
    await shot(page, '10-verifikasi-dokumen');
  });
});
