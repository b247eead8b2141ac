import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfsig, qpdfCheck } from '../support/poppler';
import { serverEvents, serverIssuedPermit, serverPermitNumber, serverStage } from '../support/server-inspection';
import { applicationIdByRegistration, clickDecision, reviewDrafts, shot, signIn, startWebDesk, type WebDesk } from './web-desk';

let desk: WebDesk;

beforeAll(async () => {
  desk = await startWebDesk();
});
afterAll(async () => {
  await desk?.stop();
});

async function openFile(page: Page, registration: string) {
  await page.getByLabel('Cari nama, NIK, atau nomor registrasi').fill(registration);
  await page.getByRole('button', { name: registration }).click();
  await page.getByRole('heading', { name: 'Kesesuaian data' }).waitFor();
}

/** Takes a plain decision on the open file and waits until the server has it. */
async function decide(page: Page, action: string) {
  await clickDecision(page, action);
  await page.getByRole('status').filter({ hasText: 'Keputusan terkirim ke server' }).waitFor();
}

/**
 * The Kepala Dinas signs the open file from its own page: he reviews the prepared permit, then
 * the PKCS#12 path, passphrase asked.
 * The desk offers the last certificate used; each office's head signs with their own.
 */
async function signFromFilePage(page: Page, name: string, p12 = 'demo-kepala-dinas.p12') {
  await page.getByRole('button', { name: /Tandatangani secara elektronik/ }).click();
  // first the prepared permit itself, exactly as it will be signed: seen, then marked
  await reviewDrafts(page, ['m']);
  await page.getByRole('dialog', { name: 'Tinjau draf izin' }).getByRole('button', { name: /^Tandatangani 1 berkas$/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Tanda tangan elektronik' });
  await dialog.waitFor();
  const certificate = dialog.getByLabel('Berkas sertifikat (.p12/.pfx)');
  await expect.poll(() => certificate.inputValue()).toMatch(/demo-kepala-dinas(-pekanbaru)?\.p12$/);
  if (!(await certificate.inputValue()).endsWith(`/${p12}`)) await certificate.fill(join(desk.dataDir, p12));
  await dialog.getByLabel('Kata sandi sertifikat').fill('kadis-demo');
  await shot(page, `${name}-signature-panel-passphrase`);
  await dialog.getByRole('button', { name: 'Mulai tanda tangan (1)' }).click();
  await dialog.getByRole('status').filter({ hasText: '1 izin ditandatangani, 0 gagal, 0 dibatalkan.' }).waitFor();
  await shot(page, `${name}-signature-panel-done`);
  await dialog.getByRole('button', { name: 'Selesai' }).click();
}

/** What standard tools say of the signed permit: pdfsig with the office's root trusted, qpdf, pdftotext. */
function checkSignedPermit(registration: string, permitNumber: string) {
  const file = join(desk.dataDir, 'signed-permits', `${registration}.pdf`);
  const report = pdfsig(file, readFileSync(join(desk.dataDir, 'demo-ca.pem'), 'utf8'), desk.dataDir);
  expect(report).toContain('Signature is Valid.');
  expect(report).toContain('Certificate is Trusted.');
  expect(report).toContain('Total document signed');
  expect(qpdfCheck(file).status).toBe(0);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  expect(text).toContain(permitNumber);
  expect(text).not.toContain('DRAF');
  return text;
}

describe('every chain from its first step to an issued, validly signed permit', () => {
  it('Pekanbaru SIKRO: front office → back office (number) → three paraf → Kepala Dinas signs → register → terbit', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'frontoffice');
    const row = page.locator('.queue-table tbody tr.queue-row:not(.loading)').first();
    const registration = (await row.getByRole('button').textContent())!.trim();
    const id = (await applicationIdByRegistration(desk, [registration]))[0]!;
    await openFile(page, registration);
    for (const box of await page.locator('.checklist').getByRole('checkbox').all()) await box.check();
    await decide(page, 'Terima (berkas lengkap)');
    expect(serverStage(desk.serverDb, id)).toBe('cetak_blanko');
    expect(serverPermitNumber(desk.serverDb, id)).toBeNull();

    await signIn(page, desk.url, 'backoffice');
    await openFile(page, registration);
    await decide(page, 'Cetak draf & beri nomor');
    const permitNumber = serverPermitNumber(desk.serverDb, id)!;
    expect(permitNumber).toMatch(/^503\/SIKRO\/\d{4}\/DPMPTSP\/\d{4}$/);

    for (const official of ['analismuda', 'analismadya', 'sekretaris']) {
      await signIn(page, desk.url, official);
      await openFile(page, registration);
      await page.getByText(`Nomor izin: ${permitNumber}`).waitFor();
      await decide(page, 'Paraf');
    }
    expect(serverStage(desk.serverDb, id)).toBe('penandatanganan');

    // Pekanbaru's own Kepala Dinas signs, with his own certificate: Metro's head does not see the file
    await signIn(page, desk.url, 'kadispekanbaru');
    await openFile(page, registration);
    await page.getByText(`Nomor izin: ${permitNumber}`).waitFor();
    await shot(page, 'chains-pekanbaru-kadis-file');
    await signFromFilePage(page, 'chains-pekanbaru', 'demo-kepala-dinas-pekanbaru.p12');
    await expect.poll(() => serverStage(desk.serverDb, id)).toBe('pencatatan_register');

    await signIn(page, desk.url, 'backoffice');
    await openFile(page, registration);
    await decide(page, 'Catat di Buku Register & serahkan');
    expect(serverStage(desk.serverDb, id)).toBe('terbit');

    const text = checkSignedPermit(registration, permitNumber);
    expect(text).toContain('PEMERINTAH KOTA PEKANBARU');
    expect(text).not.toContain('KOTA METRO');
    const issued = serverIssuedPermit(desk.serverDb, id)!;
    expect(issued).toMatchObject({ permit_number: permitNumber, signer_name: 'H. Rahmat Hidayat, S.STP., M.Si.', time_source: 'time_stamp' });
    expect(issued.certificate_issuer).toContain('Meja Izin Demo');
    expect(serverEvents(desk.serverDb, id).map((e) => e.action)).toEqual(['diajukan', 'terima_lengkap', 'cetak_draf', 'paraf', 'paraf', 'paraf', 'tandatangani', 'catat_register']);
  });

  it('Metro: penata → koordinator (number) → the Kepala Dinas signs from the file page → terbit', async () => {
    const page = await desk.newPage();
    await signIn(page, desk.url, 'penata');
    const row = page.locator('.queue-table tbody tr.queue-row:not(.loading)').first();
    const registration = (await row.getByRole('button').textContent())!.trim();
    const id = (await applicationIdByRegistration(desk, [registration]))[0]!;
    await openFile(page, registration);
    for (const box of await page.locator('.checklist').getByRole('checkbox').all()) await box.check();
    await decide(page, 'Teruskan ke koordinator');

    await signIn(page, desk.url, 'koordinator');
    await openFile(page, registration);
    await decide(page, 'Setujui draf untuk ditandatangani');
    const permitNumber = serverPermitNumber(desk.serverDb, id)!;
    expect(permitNumber).toMatch(/^503\/SI(RO|TO|DI)\/\d{4}\/DPMPTSP\/\d{4}$/);

    await signIn(page, desk.url, 'kadis');
    await openFile(page, registration);
    await signFromFilePage(page, 'chains-metro');
    await expect.poll(() => serverStage(desk.serverDb, id)).toBe('terbit');
    const text = checkSignedPermit(registration, permitNumber);
    expect(text).toContain('PEMERINTAH KOTA METRO');
    expect(text).not.toMatch(/diterbitkan oleh BSrE/);

    // what a citizen sees on a phone after scanning the QR code, and the file they were given compared in the browser
    const issued = serverIssuedPermit(desk.serverDb, id)!;
    const phone = await desk.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'id-ID', isMobile: true });
    const citizen = await phone.newPage();
    await citizen.goto(`${desk.serverUrl}/verifikasi/${issued.verification_id}`);
    await expect.poll(() => citizen.locator('#status-title').textContent()).toBe('SAH');
    const body = await citizen.locator('body').innerText();
    expect(body).toContain(permitNumber);
    expect(body).toContain('Drs. Hendra Saputra, M.M.');
    expect(body).toMatch(/pukul \d{2}\.\d{2} WIB/);
    expect(body).toContain('PAdES B-LT');
    await citizen.locator('#pdf').setInputFiles(join(desk.dataDir, 'signed-permits', `${registration}.pdf`));
    await expect.poll(() => citizen.locator('#result .result-title').textContent()).toBe('COCOK: berkas ini sama persis dengan yang terdaftar.');
    await citizen.screenshot({ path: 'test-results/screenshots/verification-page-issued-390x844.png', fullPage: true });
    await phone.close();
  });
});
