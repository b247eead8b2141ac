import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfsig } from '../support/poppler';
import { serverStage } from '../support/server-inspection';
import { applicationIdByRegistration, reviewDrafts, shot, signIn, startWebDesk, type WebDesk } from './web-desk';

let desk: WebDesk;

beforeAll(async () => {
  desk = await startWebDesk();
});
afterAll(async () => {
  await desk?.stop();
});

describe('the Kepala Dinas signs in batches', () => {
  it('selects 5 drafts, leaves one out in the review, enters the passphrase once, watches the progress, and the 4 are issued', async () => {
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

    // Every draft is seen before it can be signed: the prepared permit, its hash shown. The
    // second is skipped (S), the others marked (M).
    const review = page.getByRole('dialog', { name: 'Tinjau draf izin' });
    await review.getByText('Draf 1 dari 5', { exact: true }).waitFor();
    await review.locator('[data-testid="pdf-canvas"][data-rendered="true"]').waitFor();
    await review.getByTestId('exact-bytes').waitFor();
    await expect.poll(() => review.getByTestId('review-counts').textContent()).toBe('Ditandai 0Dilewati 0Belum dilihat 4');
    await shot(page, '08b-kadis-review-draft');
    await reviewDrafts(page, ['m', 's', 'm', 'm', 'm']);
    await expect.poll(() => review.getByTestId('review-counts').textContent()).toBe('Ditandai 4Dilewati 1Belum dilihat 0');
    await review.getByRole('button', { name: /^Tandatangani 4 berkas$/ }).click();
    await review.waitFor({ state: 'detached' });
    const dialog = page.getByRole('dialog', { name: 'Tanda tangan elektronik' });
    // the panel asks main for the remembered certificate path; it arrives just after it opens
    await expect.poll(() => dialog.getByLabel('Berkas sertifikat (.p12/.pfx)').inputValue()).toMatch(/demo-kepala-dinas\.p12$/);
    await shot(page, '08-kadis-batch-selected');
    expect(await dialog.locator('.signing-list li').count()).toBe(4);
    chosen.splice(1, 1);

    // A wrong passphrase is refused in Indonesian and signs nothing.
    await dialog.getByLabel('Kata sandi sertifikat').fill('salah');
    await dialog.getByRole('button', { name: 'Mulai tanda tangan (4)' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Kata sandi sertifikat salah' }).waitFor();

    await dialog.getByLabel('Kata sandi sertifikat').fill('kadis-demo');
    await dialog.getByRole('button', { name: 'Mulai tanda tangan (4)' }).click();
    await dialog.getByRole('progressbar').waitFor();
    await dialog.getByRole('status').filter({ hasText: '4 izin ditandatangani, 0 gagal, 0 dibatalkan.' }).waitFor();
    expect(await dialog.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('4');
    await shot(page, '09-kadis-batch-progress-done');
    await dialog.getByRole('button', { name: 'Selesai' }).click();
    for (const registration of chosen) await expect.poll(() => page.getByRole('button', { name: registration }).count()).toBe(0);

    const ids = await applicationIdByRegistration(desk, chosen);
    await expect.poll(() => ids.map((id) => serverStage(desk.serverDb, id)).join(',')).toBe(Array(4).fill('terbit').join(','));
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
